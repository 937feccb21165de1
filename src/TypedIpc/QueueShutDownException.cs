namespace TypedIpc;

/// <summary>
/// The queue was shut down (Python 3.13's <c>queue.ShutDown</c>): a put is refused, and a get finds the queue
/// drained (or emptied by an immediate shutdown).
/// </summary>
public sealed class QueueShutDownException : TypedIpcException
{
    /// <summary>Creates the exception.</summary>
    public QueueShutDownException(string message) : base(message)
    {
    }
}
