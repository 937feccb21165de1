using System.Diagnostics;

namespace TypedIpc.Internal;

/// <summary>
/// The process-wide thread that keeps user code from starving a queue's awaited calls: a <see cref="QueueWatcher"/>
/// whose thread runs a continuation inline (is lent) for <see cref="LendBound"/> or longer while other calls of its side
/// wait gets a new thread. So a continuation that blocks, even on another awaited call of the same queue
/// (sync-over-async), delays the others by at most about that bound. It looks every <see cref="LendBound"/>, and only
/// while some watcher has a thread; otherwise it sleeps on a monitor and uses no CPU.
/// </summary>
internal static class WatcherRescue
{
    /// <summary>How long a watcher thread may run user code while calls of its side wait before it is replaced.</summary>
    public static readonly TimeSpan LendBound = TimeSpan.FromMilliseconds(50);

    private static readonly long s_lendBoundTicks = (long)(LendBound.TotalSeconds * Stopwatch.Frequency);
    private static readonly HashSet<QueueWatcher> s_watchers = [];
    private static Thread? s_thread;

    /// <summary>Watches <paramref name="watcher"/> while it has a thread (called when it starts one).</summary>
    public static void Watch(QueueWatcher watcher)
    {
        lock (s_watchers)
        {
            if (!s_watchers.Add(watcher) || s_watchers.Count > 1)
            {
                return;
            }

            if (s_thread is null)
            {
                s_thread = new Thread(Run) { IsBackground = true, Name = "TypedIpc rescue" };
                s_thread.Start();
            }
            else
            {
                Monitor.Pulse(s_watchers);
            }
        }
    }

    /// <summary>Stops watching <paramref name="watcher"/> (called when it is left without a thread).</summary>
    public static void Unwatch(QueueWatcher watcher)
    {
        lock (s_watchers)
        {
            s_watchers.Remove(watcher);
        }
    }

    private static void Run()
    {
        while (true)
        {
            QueueWatcher[] watchers;
            lock (s_watchers)
            {
                while (s_watchers.Count == 0)
                {
                    Monitor.Wait(s_watchers);
                }

                watchers = [.. s_watchers];
            }

            // Outside the lock: a watcher calls Watch and Unwatch under its own lock, which RescueIfLent takes.
            long now = Stopwatch.GetTimestamp();
            long next = now + s_lendBoundTicks;
            foreach (QueueWatcher watcher in watchers)
            {
                next = Math.Min(next, watcher.RescueIfLent(now, s_lendBoundTicks));
            }

            Thread.Sleep(Stopwatch.GetElapsedTime(now, Math.Max(next, now)) + TimeSpan.FromMilliseconds(1));
        }
    }
}
