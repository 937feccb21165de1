using System.Threading.Tasks.Sources;
using TypedIpc.Diagnostics;

namespace TypedIpc.Internal;

/// <summary>
/// An awaited put, get or join, waiting for the queue to change. The <see cref="QueueWatcher"/> of its side tries it once
/// per change, under the call's lock, so that it ends exactly once: done, failed, timed out, or canceled. Whoever ends
/// it then completes it, outside every lock (<see cref="Complete"/>).
/// </summary>
/// <param name="metricsTag">The queue's name tag, for the wait histogram.</param>
/// <param name="get">A get (true) or a put; null for a join, which the wait histogram (of puts and gets) leaves out.</param>
internal abstract class PendingCall(KeyValuePair<string, object?> metricsTag, bool? get)
{
    private readonly Lock _gate = new();
    private CancellationTokenRegistration _cancellation;
    private bool _ended;
    private Exception? _error;
    private long _waitingSince;

    /// <summary>The Stopwatch timestamp at which the call times out; <see cref="long.MaxValue"/> for never.</summary>
    public long Deadline { get; private set; }

    /// <summary>Whether the call has ended (it is then dropped from its watcher's list).</summary>
    public bool Ended
    {
        get
        {
            lock (_gate)
            {
                return _ended;
            }
        }
    }

    /// <summary>Whether the call ended done rather than failed; for whoever ended it (<see cref="CallOutcome.EndedNow"/>).</summary>
    public bool Succeeded => _error is null;

    /// <summary>
    /// Starts waiting at Stopwatch timestamp <paramref name="now"/>: until <paramref name="deadline"/>, or until
    /// <paramref name="cancellationToken"/> ends the call at once (its continuation then runs on the thread pool, never
    /// on the canceling thread).
    /// </summary>
    public void Start(long now, long deadline, CancellationToken cancellationToken)
    {
        _waitingSince = now;
        Deadline = deadline;
        _cancellation = cancellationToken.UnsafeRegister(
            static (state, token) => ((PendingCall)state!).Abandon(new OperationCanceledException(token)), this);
    }

    /// <summary>
    /// Tries the operation once without waiting. <see cref="CallOutcome.EndedNow"/> (done, failed, or timed out): the
    /// caller must <see cref="Complete"/> the call.
    /// </summary>
    public CallOutcome TryOnce(EntryLease lease, long now)
    {
        lock (_gate)
        {
            if (_ended)
            {
                return CallOutcome.EndedBefore;
            }

            try
            {
                if (!TryWithoutWaiting(lease))
                {
                    if (now < Deadline)
                    {
                        return CallOutcome.Pending;
                    }

                    _error = TimedOut();
                }
            }
            catch (Exception e)
            {
                _error = e;
            }

            EndLocked();
            return CallOutcome.EndedNow;
        }
    }

    /// <summary>Times the call out if its deadline has come (<see cref="CallOutcome.EndedNow"/>: the caller must <see cref="Complete"/> it).</summary>
    public CallOutcome EndIfDue(long now)
    {
        lock (_gate)
        {
            if (_ended)
            {
                return CallOutcome.EndedBefore;
            }

            if (now < Deadline)
            {
                return CallOutcome.Pending;
            }

            _error = TimedOut();
            EndLocked();
            return CallOutcome.EndedNow;
        }
    }

    /// <summary>Ends the call with <paramref name="error"/> unless it ended already, its continuation on the thread pool.</summary>
    public void Abandon(Exception error)
    {
        lock (_gate)
        {
            if (_ended)
            {
                return;
            }

            _error = error;
            EndLocked();
        }

        Complete(runContinuationInline: false);
    }

    /// <summary>
    /// Completes the awaited task with how the call ended; called once, by whoever ended it, outside every lock. With
    /// <paramref name="runContinuationInline"/> the awaiting code runs on the calling thread before this returns.
    /// </summary>
    public void Complete(bool runContinuationInline) => SignalCompletion(_error, runContinuationInline);

    /// <summary>Puts or gets once, without waiting, keeping the result when it succeeds; false when the queue is full or empty.</summary>
    protected abstract bool TryWithoutWaiting(EntryLease lease);

    protected abstract void SignalCompletion(Exception? error, bool runContinuationInline);

    /// <summary>The exception for a call that waited out its timeout (<see cref="QueueFullException"/> or <see cref="QueueEmptyException"/>).</summary>
    protected abstract Exception TimedOut();

    private void EndLocked()
    {
        _ended = true;
        if (get is { } isGet)
        {
            QueueMetrics.Waited(_waitingSince, isGet, metricsTag);
        }

        // Unregister, not Dispose: Dispose would wait for a running cancellation callback, which waits for this lock.
        _cancellation.Unregister();
    }
}

/// <summary>
/// A <see cref="PendingCall"/> that is its own awaitable: one object per waiting call, never reused, so a ValueTask
/// awaited twice cannot observe another call's result. Unlike a TaskCompletionSource it lets each completion choose
/// whether the continuation runs inline (see <see cref="QueueWatcher"/>).
/// </summary>
/// <typeparam name="TResult">The call's result; <see cref="ValueTuple"/> for a put or join.</typeparam>
internal abstract class PendingCall<TResult>(KeyValuePair<string, object?> metricsTag, bool? get)
    : PendingCall(metricsTag, get), IValueTaskSource<TResult>, IValueTaskSource
{
    private ManualResetValueTaskSourceCore<TResult> _completion;
    private TResult _result = default!;

    /// <summary>The call's result, for the caller who awaits it.</summary>
    public ValueTask<TResult> Completion => new(this, _completion.Version);

    /// <summary>The call's end, for a caller who awaits no result.</summary>
    public ValueTask CompletionWithoutResult => new(this, _completion.Version);

    TResult IValueTaskSource<TResult>.GetResult(short token) => _completion.GetResult(token);

    void IValueTaskSource.GetResult(short token) => _completion.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _completion.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _completion.OnCompleted(continuation, state, token, flags);

    /// <summary>Keeps the result of the operation that succeeded, for <see cref="PendingCall.Complete"/>.</summary>
    protected void Succeed(TResult result) => _result = result;

    protected sealed override void SignalCompletion(Exception? error, bool runContinuationInline)
    {
        _completion.RunContinuationsAsynchronously = !runContinuationInline;
        if (error is null)
        {
            _completion.SetResult(_result);
        }
        else
        {
            _completion.SetException(error);
        }
    }
}

/// <summary>What one try of a <see cref="PendingCall"/> found.</summary>
internal enum CallOutcome
{
    /// <summary>Still waiting: the queue is full or empty and the deadline has not come.</summary>
    Pending,

    /// <summary>This try ended the call; the one who tried must complete it.</summary>
    EndedNow,

    /// <summary>Something else ended the call before (a cancellation, Dispose, or an earlier try), and completed it.</summary>
    EndedBefore,
}
