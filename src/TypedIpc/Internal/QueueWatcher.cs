using System.Diagnostics;

namespace TypedIpc.Internal;

/// <summary>
/// The one thread that waits for the awaited calls of one side (puts, gets or joins) of one queue instance: no thread
/// per waiter. It sleeps on the side's futex word (announced as any sleeper, so the ordering in QueueProtocol.cs holds),
/// and on each change tries the pending calls in order, stopping at the first the queue cannot serve yet. Idle, it
/// waits on a monitor and, after <see cref="IdleLifetime"/>, exits; the next call starts it again.
/// <para>
/// Completing a call on the thread pool would cost a second wake through the kernel after the one that woke this
/// thread. So when a change ends exactly one call, done, and no other call waits, the thread runs that call's
/// continuation itself (as Channels' AllowSynchronousContinuations does), outside every lock and lease: it is then
/// lent to user code. A thread lent for longer than <see cref="WatcherRescue.LendBound"/> while calls wait is replaced
/// (<see cref="WatcherRescue"/>), and exits when the user code gives it back. Every other completion (several calls at
/// once, failures, timeouts, cancellation, Dispose) runs its continuation on the thread pool.
/// </para>
/// </summary>
internal sealed class QueueWatcher(QueueProtocol protocol, WatchedWord watched, string threadName)
{
    private static readonly TimeSpan IdleLifetime = TimeSpan.FromSeconds(5);
    private const int PausesPerTry = 16;

    private readonly List<PendingCall> _calls = [];
    private Thread? _thread;
    private bool _stopping;

    /// <summary>The Stopwatch timestamp at which <see cref="_thread"/> was lent to a continuation; 0 while it is not.</summary>
    private long _lentSince;

    /// <summary>Adds <paramref name="call"/> to the calls waiting, after its first try failed.</summary>
    public void Add(PendingCall call)
    {
        lock (_calls)
        {
            if (!_stopping)
            {
                _calls.Add(call);
                if (_thread is null)
                {
                    StartThread();
                }
                else
                {
                    Monitor.Pulse(_calls);
                }

                return;
            }
        }

        call.Abandon(Disposed());
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

    /// <summary>
    /// Waits for the thread to end, unless it is lent to user code (which may be waiting for this very Dispose), then
    /// fails the calls still pending with <see cref="ObjectDisposedException"/>. A lent thread exits when given back.
    /// </summary>
    public void Join()
    {
        Thread? thread;
        lock (_calls)
        {
            thread = _lentSince == 0 ? _thread : null;
            DropThread();
        }

        thread?.Join();
        AbandonAll(Disposed());
    }

    /// <summary>
    /// For <see cref="WatcherRescue"/>: gives the side a new thread when its thread has been lent for
    /// <paramref name="lendBoundTicks"/> or longer while calls wait. Returns the Stopwatch timestamp at which to look
    /// again; <see cref="long.MaxValue"/> when no lend is under way.
    /// </summary>
    public long RescueIfLent(long now, long lendBoundTicks)
    {
        lock (_calls)
        {
            if (_lentSince == 0 || _stopping)
            {
                return long.MaxValue;
            }

            long due = _lentSince + lendBoundTicks;
            if (now < due)
            {
                return due;
            }

            if (_calls.Count == 0)
            {
                return now + lendBoundTicks; // nobody is kept waiting yet
            }

            _lentSince = 0;
            StartThread();
            return long.MaxValue;
        }
    }

    private void StartThread()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = threadName };
        _thread.Start();
        WatcherRescue.Watch(this);
    }

    private void DropThread()
    {
        _thread = null;
        _lentSince = 0;
        WatcherRescue.Unwatch(this);
    }

    private void AbandonAll(Exception error)
    {
        PendingCall[] calls;
        lock (_calls)
        {
            calls = [.. _calls];
            _calls.Clear();
        }

        Array.ForEach(calls, call => call.Abandon(error));
    }

    private static ObjectDisposedException Disposed() =>
        new(nameof(SharedQueue<int>), "the queue was disposed in this process; open it again to use it.");

    private void Run()
    {
        var ended = new List<PendingCall>();
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
                    if (_thread == Thread.CurrentThread)
                    {
                        DropThread();
                    }
                }

                AbandonAll(e);
                return;
            }

            bool lend;
            try
            {
                lend = ServeOrSleep(lease, ended);
            }
            finally
            {
                QueueProtocol.Exit(lease);
            }

            if (lend)
            {
                ended[0].Complete(runContinuationInline: true);
                if (!GiveBack())
                {
                    return;
                }
            }
            else
            {
                ended.ForEach(call => call.Complete(runContinuationInline: false));
            }

            ended.Clear();
        }
    }

    /// <summary>
    /// Serves the calls the queue allows, spinning and then sleeping until the queue changes while it serves none; returns
    /// once calls ended (into <paramref name="ended"/>) or none remain. It stays in the call after a wake, so that the
    /// woken thread goes straight to the item. True when the thread is to run the one ended call's continuation itself.
    /// </summary>
    private bool ServeOrSleep(EntryLease lease, List<PendingCall> ended)
    {
        bool lend;
        while (TryPending(lease, ended, out _, out lend) && SpinWhilePending(lease, ended, out lend))
        {
            // Announce, then re-check: a change after the re-check bumps the word this thread sleeps on.
            int announced = protocol.AnnounceSleeper(watched);
            if (!TryPending(lease, ended, out long until, out lend))
            {
                break;
            }

            protocol.SleepUntilChanged(lease, watched, announced, until);
        }

        return lend;
    }

    /// <summary>
    /// Keeps trying the pending calls for the queue's spin duration, as a blocked call spins before it sleeps: a queue
    /// in steady use then serves awaited calls without a wake through the kernel on either side. True when calls
    /// remain, none having ended.
    /// </summary>
    private bool SpinWhilePending(EntryLease lease, List<PendingCall> ended, out bool lend)
    {
        long spinUntil = Stopwatch.GetTimestamp() + protocol.SpinTicks;
        do
        {
            QueueProtocol.Pause(PausesPerTry);
            if (!TryPending(lease, ended, out _, out lend))
            {
                return false;
            }
        }
        while (Stopwatch.GetTimestamp() < spinUntil);

        return true;
    }

    /// <summary>After a lend: true when this thread is still its side's watcher; false when it was replaced or disposed, and exits.</summary>
    private bool GiveBack()
    {
        lock (_calls)
        {
            if (_thread != Thread.CurrentThread)
            {
                return false;
            }

            _lentSince = 0;
            return true;
        }
    }

    /// <summary>False when the thread should end: stopping, replaced, or idle for <see cref="IdleLifetime"/>.</summary>
    private bool WaitForCalls()
    {
        lock (_calls)
        {
            while (!_stopping && _thread == Thread.CurrentThread)
            {
                _calls.RemoveAll(call => call.Ended);
                if (_calls.Count > 0)
                {
                    return true;
                }

                if (!Monitor.Wait(_calls, IdleLifetime) && _calls.Count == 0 && _thread == Thread.CurrentThread)
                {
                    DropThread();
                    return false;
                }
            }

            return false;
        }
    }

    /// <summary>
    /// Tries the pending calls in order until one finds the queue still full or empty, adding those it ends to
    /// <paramref name="ended"/>. True when the thread should wait for a change: calls remain and none ended
    /// (<paramref name="until"/>: the earliest deadline among them). <paramref name="lend"/>: exactly one call ended,
    /// done, none remains, and the instance is not being disposed; the thread is then marked lent.
    /// </summary>
    private bool TryPending(EntryLease lease, List<PendingCall> ended, out long until, out bool lend)
    {
        long now = Stopwatch.GetTimestamp();
        until = long.MaxValue;
        bool queueMayServe = true;
        lock (_calls)
        {
            int kept = 0;
            for (int i = 0; i < _calls.Count; i++)
            {
                PendingCall call = _calls[i];
                CallOutcome outcome = queueMayServe ? call.TryOnce(lease, now) : call.EndIfDue(now);
                if (outcome == CallOutcome.Pending)
                {
                    queueMayServe = false;
                    until = Math.Min(until, call.Deadline);
                    _calls[kept++] = call;
                }
                else if (outcome == CallOutcome.EndedNow)
                {
                    ended.Add(call);
                }
            }

            _calls.RemoveRange(kept, _calls.Count - kept);
            lend = ended.Count == 1 && ended[0].Succeeded && kept == 0 && !_stopping;
            if (lend)
            {
                _lentSince = now;
            }

            return kept > 0 && ended.Count == 0 && !_stopping;
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
