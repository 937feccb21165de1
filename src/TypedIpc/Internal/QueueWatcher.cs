using System.Diagnostics;
using TypedIpc.Diagnostics;

namespace TypedIpc.Internal;

/// <summary>
/// An awaited put, get or join, waiting for the queue to change. The <see cref="QueueWatcher"/> of its side tries it once
/// per change, under the call's lock, so that it ends exactly once: done, failed, timed out, or canceled.
/// </summary>
/// <param name="metricsTag">The queue's name tag, for the wait histogram.</param>
/// <param name="get">A get (true) or a put; null for a join, which the wait histogram (of puts and gets) leaves out.</param>
internal abstract class PendingCall(KeyValuePair<string, object?> metricsTag, bool? get)
{
    private readonly Lock _gate = new();
    private CancellationTokenRegistration _cancellation;
    private bool _ended;
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

    /// <summary>Starts waiting at Stopwatch timestamp <paramref name="now"/>: until <paramref name="deadline"/>, or until <paramref name="cancellationToken"/> ends the call at once.</summary>
    public void Start(long now, long deadline, CancellationToken cancellationToken)
    {
        _waitingSince = now;
        Deadline = deadline;
        _cancellation = cancellationToken.UnsafeRegister(
            static (state, token) => ((PendingCall)state!).End(call => call.Cancel(token)), this);
    }

    /// <summary>Tries the operation once without waiting: true when it ended (done, or failed); false when the queue is still full or empty.</summary>
    public bool TryOnce(EntryLease lease, long now)
    {
        lock (_gate)
        {
            if (_ended)
            {
                return true;
            }

            try
            {
                if (TryWithoutWaiting(lease))
                {
                    EndLocked();
                    return true;
                }
            }
            catch (Exception e)
            {
                EndLocked();
                Fail(e);
                return true;
            }

            if (now >= Deadline)
            {
                EndLocked();
                Fail(TimedOut());
                return true;
            }

            return false;
        }
    }

    /// <summary>Times the call out if its deadline has come; true when it has ended (now or before).</summary>
    public bool EndIfDue(long now)
    {
        lock (_gate)
        {
            if (!_ended && now >= Deadline)
            {
                EndLocked();
                Fail(TimedOut());
            }

            return _ended;
        }
    }

    /// <summary>Ends the call with <paramref name="error"/> unless it ended already.</summary>
    public void Abandon(Exception error) => End(call => call.Fail(error));

    /// <summary>Puts or gets once, without waiting, completing the call when it succeeds; false when the queue is full or empty.</summary>
    protected abstract bool TryWithoutWaiting(EntryLease lease);

    protected abstract void Fail(Exception error);

    protected abstract void Cancel(CancellationToken token);

    /// <summary>The exception for a call that waited out its timeout (<see cref="QueueFullException"/> or <see cref="QueueEmptyException"/>).</summary>
    protected abstract Exception TimedOut();

    private void End(Action<PendingCall> complete)
    {
        lock (_gate)
        {
            if (_ended)
            {
                return;
            }

            EndLocked();
            complete(this);
        }
    }

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
/// The one thread that waits for the awaited calls of one side (puts, gets or joins) of one queue instance: no thread
/// per waiter. It sleeps on the side's futex word (announced as any sleeper, so the ordering in QueueProtocol.cs holds),
/// and on each change tries the pending calls in order, stopping at the first the queue cannot serve yet. Idle, it
/// waits on a monitor and, after <see cref="IdleLifetime"/>, exits; the next call starts it again.
/// </summary>
internal sealed class QueueWatcher(QueueProtocol protocol, WatchedWord watched, string threadName)
{
    private static readonly TimeSpan IdleLifetime = TimeSpan.FromSeconds(5);
    private const int PausesPerTry = 16;

    private readonly List<PendingCall> _calls = [];
    private Thread? _thread;
    private bool _stopping;

    /// <summary>Adds <paramref name="call"/> to the calls waiting, after its first try failed.</summary>
    public void Add(PendingCall call)
    {
        lock (_calls)
        {
            if (_stopping)
            {
                call.Abandon(Disposed());
                return;
            }

            _calls.Add(call);
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = threadName };
                _thread.Start();
            }
            else
            {
                Monitor.Pulse(_calls);
            }
        }
    }

    /// <summary>Asks the thread to stop; <see cref="Join"/> once the protocol is closed (which wakes it).</summary>
    public void Stop()
    {
        lock (_calls)
        {
            _stopping = true;
            Monitor.Pulse(_calls);
        }
    }

    /// <summary>Waits for the thread to end, then fails the calls still pending with <see cref="ObjectDisposedException"/>.</summary>
    public void Join()
    {
        Thread? thread;
        lock (_calls)
        {
            thread = _thread;
        }

        thread?.Join();
        AbandonAll(Disposed());
    }

    private void AbandonAll(Exception error)
    {
        lock (_calls)
        {
            _calls.ForEach(call => call.Abandon(error));
            _calls.Clear();
        }
    }

    private static ObjectDisposedException Disposed() =>
        new(nameof(SharedQueue<int>), "the queue was disposed in this process; open it again to use it.");

    private void Run()
    {
        while (WaitForCalls())
        {
            EntryLease lease;
            try
            {
                lease = protocol.Enter();
            }
            catch (Exception e)
            {
                // Disposed, or no process-table entry left for this thread: the calls waiting cannot be served.
                lock (_calls)
                {
                    _thread = null;
                }

                AbandonAll(e);
                return;
            }

            try
            {
                if (TryPending(lease, out _) && SpinWhilePending(lease))
                {
                    // Announce, then re-check: a change after the re-check bumps the word this thread sleeps on.
                    int announced = protocol.AnnounceSleeper(watched);
                    if (TryPending(lease, out long until))
                    {
                        protocol.SleepUntilChanged(lease, watched, announced, until);
                    }
                }
            }
            finally
            {
                QueueProtocol.Exit(lease);
            }
        }
    }

    /// <summary>
    /// Keeps trying the pending calls for the queue's spin duration, as a blocked call spins before it sleeps: a queue
    /// in steady use then serves awaited calls without a wake through the kernel on either side. True when calls remain.
    /// </summary>
    private bool SpinWhilePending(EntryLease lease)
    {
        long spinUntil = Stopwatch.GetTimestamp() + protocol.SpinTicks;
        do
        {
            QueueProtocol.Pause(PausesPerTry);
            if (!TryPending(lease, out _))
            {
                return false;
            }
        }
        while (Stopwatch.GetTimestamp() < spinUntil);

        return true;
    }

    /// <summary>False when the thread should end: stopping, or idle for <see cref="IdleLifetime"/>.</summary>
    private bool WaitForCalls()
    {
        lock (_calls)
        {
            while (!_stopping)
            {
                _calls.RemoveAll(call => call.Ended);
                if (_calls.Count > 0)
                {
                    return true;
                }

                if (!Monitor.Wait(_calls, IdleLifetime) && _calls.Count == 0)
                {
                    _thread = null;
                    return false;
                }
            }

            return false;
        }
    }

    /// <summary>
    /// Tries the pending calls in order until one finds the queue still full or empty; true when calls remain
    /// (<paramref name="until"/>: the earliest deadline among them).
    /// </summary>
    private bool TryPending(EntryLease lease, out long until)
    {
        long now = Stopwatch.GetTimestamp();
        until = long.MaxValue;
        bool queueMayServe = true;
        lock (_calls)
        {
            _calls.RemoveAll(call =>
            {
                if (!queueMayServe)
                {
                    return call.EndIfDue(now);
                }

                queueMayServe = call.TryOnce(lease, now);
                return queueMayServe;
            });
            foreach (PendingCall call in _calls)
            {
                until = Math.Min(until, call.Deadline);
            }

            return _calls.Count > 0 && !_stopping;
        }
    }
}

/// <summary>The futex word a <see cref="QueueWatcher"/> sleeps on: which change its calls wait for.</summary>
internal enum WatchedWord
{
    /// <summary>ItemsFutex: an item was put (awaited gets).</summary>
    Items,

    /// <summary>SpaceFutex: room was released (awaited puts).</summary>
    Space,

    /// <summary>TasksFutex: an instance's held tasks reached zero (awaited joins).</summary>
    Tasks,
}
