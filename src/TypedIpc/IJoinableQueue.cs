namespace TypedIpc;

/// <summary>
/// The task accounting of Python's <c>JoinableQueue</c>: every item put is a task that stays unfinished until the
/// process that got it calls <see cref="TaskDone"/>; <see cref="Join"/> waits until no task is unfinished.
/// Implemented by <see cref="SharedQueue{T}"/> (joinable when created with <c>QueueOptions.Joinable</c>) and by
/// the queues generated for <c>[IpcQueue(Joinable = true)]</c>.
/// </summary>
public interface IJoinableQueue
{
    /// <summary>True when the queue was created joinable; otherwise the other members throw <see cref="InvalidOperationException"/>.</summary>
    bool IsJoinable { get; }

    /// <summary>Marks one task got through this queue instance as finished (Python's <c>task_done()</c>).</summary>
    /// <exception cref="InvalidOperationException">Called more times than items were got, or the queue is not joinable.</exception>
    void TaskDone();

    /// <summary>Blocks until every item ever put has been got and marked done (Python's <c>join()</c>).</summary>
    /// <exception cref="QueueTasksAbandonedException">Every other task is done, but consumers died holding unfinished ones.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <exception cref="InvalidOperationException">The queue is not joinable.</exception>
    void Join(CancellationToken cancellationToken = default);

    /// <summary>Waits asynchronously until every item ever put has been got and marked done; no thread waits per call.</summary>
    /// <exception cref="QueueTasksAbandonedException">Every other task is done, but consumers died holding unfinished ones.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    /// <exception cref="InvalidOperationException">The queue is not joinable.</exception>
    ValueTask JoinAsync(CancellationToken cancellationToken = default);
}
