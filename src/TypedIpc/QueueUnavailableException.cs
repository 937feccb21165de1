namespace TypedIpc;

/// <summary>
/// The server behind a networked queue (for example NATS JetStream) could not be reached within the call's
/// timeout. Nothing the server acknowledged is lost; retry the call once the server is back.
/// </summary>
public sealed class QueueUnavailableException : TypedIpcException
{
    /// <summary>Creates the exception.</summary>
    public QueueUnavailableException(string message, Exception? innerException = null) : base(message, innerException)
    {
    }
}
