using System.Diagnostics;
using TypedIpc.Internal;

namespace TypedIpc;

// Python's JoinableQueue (QueueOptions.Joinable): the accounting is in the shared region, see QueueProtocol.Tasks.cs.
public sealed partial class SharedQueue<T>
{
    /// <summary>True when the queue was created with <see cref="QueueOptions.Joinable"/>.</summary>
    public bool IsJoinable => _protocol.IsJoinable;

    /// <summary>
    /// Marks one task got through this queue instance as finished (Python's <c>task_done()</c>). The tasks an instance
    /// got are its own: call it on the instance that got the item. An instance disposed, or a process that dies, while
    /// holding tasks abandons them (see <see cref="Join"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">Called more times than items were got through this instance, or the queue is not joinable.</exception>
    public void TaskDone()
    {
        EntryLease lease = EnterJoinable(nameof(TaskDone));
        bool done;
        try
        {
            done = _protocol.TaskDone();
        }
        finally
        {
            QueueProtocol.Exit(lease);
        }

        if (!done)
        {
            throw new InvalidOperationException(
                $"TaskDone on queue '{Name}' was called more times than items were got through this queue instance: call it " +
                "once per item got, on the instance that got it.");
        }
    }

    /// <summary>
    /// Blocks until every item put on the queue, by any process, has been got and marked done (Python's <c>join()</c>):
    /// until the queue is empty and no live instance holds an unfinished task. Tasks held by an instance whose process
    /// died (or that was disposed) are abandoned: once every other task is done, the join throws
    /// <see cref="QueueTasksAbandonedException"/> with their count. That report is made once: every join waiting at that
    /// moment throws it, and later joins wait only for later tasks.
    /// </summary>
    /// <exception cref="QueueTasksAbandonedException">Every other task is done, but consumers died holding unfinished ones.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <exception cref="InvalidOperationException">The queue is not joinable.</exception>
    public void Join(CancellationToken cancellationToken = default)
    {
        EntryLease lease = EnterJoinable(nameof(Join));
        long abandoned;
        try
        {
            abandoned = _protocol.Join(lease, cancellationToken);
        }
        finally
        {
            QueueProtocol.Exit(lease);
        }

        if (abandoned > 0)
        {
            throw Abandoned(abandoned);
        }
    }

    /// <summary>
    /// Waits asynchronously until every item put has been got and marked done, as <see cref="Join"/> does; no thread
    /// waits per call (one thread per instance serves every awaited join).
    /// </summary>
    /// <exception cref="QueueTasksAbandonedException">Every other task is done, but consumers died holding unfinished ones.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <exception cref="InvalidOperationException">The queue is not joinable.</exception>
    /// <remarks>
    /// When the join has to wait and a change ends it alone (no other awaited join of this instance waits), its
    /// continuation may run on the instance's waiting thread, as with Channels' AllowSynchronousContinuations; code that
    /// keeps that thread longer than 50 ms while other joins wait is given a replacement (see README, How it works).
    /// </remarks>
    public ValueTask JoinAsync(CancellationToken cancellationToken = default)
    {
        long reportedAtStart;
        bool ended;
        long abandoned;
        try
        {
            EntryLease lease = EnterJoinable(nameof(JoinAsync));
            try
            {
                reportedAtStart = _protocol.JoinStart;
                ended = _protocol.TryEndJoin(reportedAtStart, out abandoned);
            }
            finally
            {
                QueueProtocol.Exit(lease);
            }
        }
        catch (Exception e)
        {
            return ValueTask.FromException(e);
        }

        if (ended)
        {
            return abandoned > 0 ? ValueTask.FromException(Abandoned(abandoned)) : ValueTask.CompletedTask;
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        var call = new JoinCall(this, reportedAtStart);
        Wait(call, WatchedWord.Tasks, WaitLimit.From(block: true, timeout: null), cancellationToken);
        return call.CompletionWithoutResult;
    }

    private EntryLease EnterJoinable(string member)
    {
        if (!_protocol.IsJoinable)
        {
            throw new InvalidOperationException(
                $"{member} needs a joinable queue, and queue '{Name}' was created without it: create it with " +
                "QueueOptions.Joinable = true (or [IpcQueue(Joinable = true)]) in every process.");
        }

        return _protocol.Enter();
    }

    private QueueTasksAbandonedException Abandoned(long tasks) => new(
        $"every task on queue '{Name}' is done except {tasks} that consumers got and never marked done: their process died, " +
        "or disposed its queue instance, holding them. That work was taken and not finished; put it again if it must be done. " +
        "This is reported once: the next Join waits only for tasks after it.",
        tasks);

    private sealed class JoinCall(SharedQueue<T> queue, long reportedAtStart) : PendingCall<ValueTuple>(queue._metricsTag, get: null)
    {
        protected override bool TryWithoutWaiting(EntryLease lease)
        {
            if (!queue._protocol.TryEndJoin(reportedAtStart, out long abandoned))
            {
                return false;
            }

            return abandoned == 0 ? true : throw queue.Abandoned(abandoned);
        }

        // A join has no timeout (its deadline is never): cancellation is how it ends early.
        protected override Exception TimedOut() => new UnreachableException("a join has no timeout");
    }
}
