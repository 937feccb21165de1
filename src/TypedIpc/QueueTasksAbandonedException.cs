namespace TypedIpc;

/// <summary>
/// <c>Join</c> found every task done except those of consumers that died holding them: that work was taken and
/// never finished, so the join cannot report success. <see cref="AbandonedTasks"/> says how many.
/// </summary>
public sealed class QueueTasksAbandonedException : TypedIpcException
{
    /// <summary>Creates the exception.</summary>
    public QueueTasksAbandonedException(string message, long abandonedTasks) : base(message)
    {
        AbandonedTasks = abandonedTasks;
    }

    /// <summary>How many tasks died with their consumers.</summary>
    public long AbandonedTasks { get; }
}
