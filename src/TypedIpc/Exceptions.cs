namespace TypedIpc;

/// <summary>The base of every exception TypedIpc throws for a queue-level condition.</summary>
public class TypedIpcException : Exception
{
    /// <summary>Creates the exception with a message that says what happened and what to do.</summary>
    public TypedIpcException(string message, Exception? innerException = null) : base(message, innerException)
    {
    }
}

/// <summary>A put found the queue full and could not wait (<c>block: false</c>) or waited out its timeout (Python's <c>queue.Full</c>).</summary>
public sealed class QueueFullException : TypedIpcException
{
    /// <summary>Creates the exception.</summary>
    public QueueFullException(string message, int itemsPut = 0) : base(message)
    {
        ItemsPut = itemsPut;
    }

    /// <summary>For <c>PutMany</c>: how many of its items went in (always a prefix) before the wait ended; 0 for <c>Put</c>.</summary>
    public int ItemsPut { get; }
}

/// <summary>A get found the queue empty and could not wait (<c>block: false</c>) or waited out its timeout (Python's <c>queue.Empty</c>).</summary>
public sealed class QueueEmptyException : TypedIpcException
{
    /// <summary>Creates the exception.</summary>
    public QueueEmptyException(string message) : base(message)
    {
    }
}

/// <summary>An existing queue was opened with settings or a message type that differ from the ones it was created with.</summary>
public sealed class QueueMismatchException : TypedIpcException
{
    /// <summary>Creates the exception.</summary>
    public QueueMismatchException(string message) : base(message)
    {
    }
}

/// <summary>A message serialized to more bytes than the queue's per-message limit; the queue is unchanged.</summary>
public sealed class MessageTooLargeException : TypedIpcException
{
    /// <summary>Creates the exception.</summary>
    public MessageTooLargeException(string message, int messageBytes, int maxMessageBytes) : base(message)
    {
        MessageBytes = messageBytes;
        MaxMessageBytes = maxMessageBytes;
    }

    /// <summary>The serialized size of the rejected message.</summary>
    public int MessageBytes { get; }

    /// <summary>The queue's per-message limit.</summary>
    public int MaxMessageBytes { get; }
}

/// <summary>
/// One message could not be read back (its bytes do not deserialize to the queue's type, or its slot was damaged).
/// That message is removed; the next get works.
/// </summary>
public sealed class MessageCorruptedException : TypedIpcException
{
    /// <summary>Creates the exception.</summary>
    public MessageCorruptedException(string message, Exception? innerException = null, int itemsDelivered = 0)
        : base(message, innerException)
    {
        ItemsDelivered = itemsDelivered;
    }

    /// <summary>
    /// For <c>GetMany</c>: how many good items of the same batch were written to the front of its destination
    /// (they are taken from the queue; read them before you go on); 0 for <c>Get</c>.
    /// </summary>
    public int ItemsDelivered { get; }
}

/// <summary>The shared-memory file of a queue is not a valid TypedIpc region (truncated, foreign or damaged).</summary>
public sealed class QueueCorruptedException : TypedIpcException
{
    /// <summary>Creates the exception.</summary>
    public QueueCorruptedException(string message) : base(message)
    {
    }
}

/// <summary>No queue of that name exists.</summary>
public sealed class QueueNotFoundException : TypedIpcException
{
    /// <summary>Creates the exception.</summary>
    public QueueNotFoundException(string message) : base(message)
    {
    }
}

/// <summary>The operating system refused a shared-memory operation (no space, no permission, too many attached processes).</summary>
public sealed class SharedMemoryException : TypedIpcException
{
    /// <summary>Creates the exception.</summary>
    public SharedMemoryException(string message, Exception? innerException = null) : base(message, innerException)
    {
    }
}
