using System.Collections.Concurrent;

namespace TypedIpc.Hosting.Tests.Support;

/// <summary>What the test handlers did, shared by the test and the handlers of every scope (a singleton in the host).</summary>
public sealed class Handled
{
    private readonly ConcurrentQueue<long> _sequences = new();
    private readonly Dictionary<TaskCompletionSource, Func<Handled, bool>> _waiters = [];
    private int _started;
    private int _running;
    private int _mostRunning;

    /// <summary>Handlers that wait for it stay in hand until <see cref="Release"/>.</summary>
    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The sequence numbers of the messages handled, in the order their handlers ended.</summary>
    public IReadOnlyCollection<long> Sequences => _sequences;

    public int Started => Volatile.Read(ref _started);

    public int Running => Volatile.Read(ref _running);

    public int MostRunning => Volatile.Read(ref _mostRunning);

    public void Begin()
    {
        Interlocked.Increment(ref _started);
        int running = Interlocked.Increment(ref _running);
        int most;
        while (running > (most = Volatile.Read(ref _mostRunning)) && Interlocked.CompareExchange(ref _mostRunning, running, most) != most)
        {
        }

        Signal();
    }

    public void End(long sequence)
    {
        _sequences.Enqueue(sequence);
        Interlocked.Decrement(ref _running);
        Signal();
    }

    public void Release() => Gate.TrySetResult();

    /// <summary>Completes once <paramref name="condition"/> holds, checked whenever a handler begins or ends.</summary>
    public Task When(Func<Handled, bool> condition)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            if (condition(this))
            {
                return Task.CompletedTask;
            }

            _waiters[reached] = condition;
        }

        return reached.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    private void Signal()
    {
        lock (_waiters)
        {
            foreach ((TaskCompletionSource reached, Func<Handled, bool> condition) in _waiters.ToArray())
            {
                if (condition(this))
                {
                    _waiters.Remove(reached);
                    reached.TrySetResult();
                }
            }
        }
    }
}
