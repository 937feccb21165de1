namespace TypedIpc.Tests.Support;

/// <summary>
/// A queue call run on a thread of its own, so that a test can wait until the call sleeps in the kernel (seen in
/// /proc, see <see cref="KernelWait"/>), act on the queue, and then collect how the call ended.
/// </summary>
public sealed class BlockedCall<T>
{
    private static readonly TimeSpan EndTimeout = TimeSpan.FromSeconds(30);
    private readonly TaskCompletionSource<T> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _what;
    private readonly int _threadId;

    private BlockedCall(string what, Func<T> call)
    {
        _what = what;
        var threadId = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            threadId.SetResult(KernelWait.CurrentThreadId());
            try
            {
                _outcome.SetResult(call());
            }
            catch (Exception e)
            {
                _outcome.SetException(e);
            }
        })
        {
            IsBackground = true, // a call that never returns must not keep the test host alive
            Name = what,
        };
        thread.Start();
        _threadId = threadId.Task.Result;
    }

    /// <summary>Starts <paramref name="call"/>; <paramref name="what"/> names it in failure messages.</summary>
    public static BlockedCall<T> Start(string what, Func<T> call) => new(what, call);

    /// <summary>Waits until the call sleeps on a futex in the queue file <paramref name="queuePath"/>.</summary>
    public BlockedCall<T> WaitUntilAsleepIn(string queuePath)
    {
        KernelWait.WaitUntilAsleepOnFutexIn(
            Environment.ProcessId, _threadId, queuePath,
            endedInstead: () => _outcome.Task.IsCompleted ? $"{_what} ended instead of blocking: {Describe(_outcome.Task)}" : null);
        return this;
    }

    /// <summary>The call's result, once it returned; fails naming the call when it is still blocked after 30 s.</summary>
    public T Result() => Ended().GetAwaiter().GetResult();

    /// <summary>The exception the call ended with; fails when it returned instead, or is still blocked after 30 s.</summary>
    public TException Exception<TException>()
        where TException : Exception
    {
        Task<T> ended = Ended();
        return ended.Exception?.InnerException as TException
            ?? throw new Xunit.Sdk.XunitException($"{_what} should have ended with {typeof(TException).Name} but {Describe(ended)}.");
    }

    private Task<T> Ended()
    {
        if (!((IAsyncResult)_outcome.Task).AsyncWaitHandle.WaitOne(EndTimeout))
        {
            throw new TimeoutException($"{_what} was still blocked {EndTimeout.TotalSeconds:0} s after it should have ended.");
        }

        return _outcome.Task;
    }

    private static string Describe(Task<T> ended) => ended.IsFaulted
        ? $"threw {ended.Exception!.InnerException!.GetType().Name}: {ended.Exception.InnerException.Message}"
        : $"returned {ended.Result}";
}
