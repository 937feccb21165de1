namespace TypedIpc.Hosting;

/// <summary>
/// Handles the messages a hosted consumer (<see cref="IpcServiceCollectionExtensions.AddIpcConsumer{TMessage, THandler}"/>)
/// takes from an <see cref="IIpcQueue{T}"/>. Resolved in a new dependency-injection scope for each message, so it may take
/// scoped services (a DbContext, say).
/// </summary>
/// <typeparam name="TMessage">The queue's message type.</typeparam>
public interface IIpcMessageHandler<in TMessage>
{
    /// <summary>
    /// Handles one message. An exception is logged and the consumer goes on with the next message; the message is not
    /// put back (put it back, or on another queue, yourself if it should be retried).
    /// </summary>
    /// <param name="message">The message, already taken from the queue.</param>
    /// <param name="cancellationToken">
    /// Canceled only when the host's shutdown timeout runs out before the message is handled: a stopping host lets the
    /// messages in hand finish first.
    /// </param>
    Task HandleAsync(TMessage message, CancellationToken cancellationToken);
}
