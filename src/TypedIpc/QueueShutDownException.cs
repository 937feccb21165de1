namespace TypedIpc;

/// <summary>
/// The queue was shut down (Python 3.13's <c>queue.ShutDown</c>): a put after <c>Shutdown</c>, or a get once the
/// queue is shut down and drained (at once after an immediate shutdown).
/// </summary>
public sealed class QueueShutDownException : TypedIpcException
{
    /// <summary>Creates the exception.</summary>
    public QueueShutDownException(string message) : base(message)
    {
    }
}
