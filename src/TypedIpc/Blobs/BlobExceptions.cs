namespace TypedIpc;

/// <summary>No shared blob exists for a <see cref="BlobRef"/>: it was never written here, was already consumed and disposed, or was swept.</summary>
public sealed class BlobNotFoundException : TypedIpcException
{
    /// <summary>Creates the exception.</summary>
    public BlobNotFoundException(string message) : base(message)
    {
    }
}

/// <summary>A shared blob's bytes do not match the length or checksum its <see cref="BlobRef"/> promises; the blob is removed.</summary>
public sealed class BlobCorruptedException : TypedIpcException
{
    /// <summary>Creates the exception.</summary>
    public BlobCorruptedException(string message) : base(message)
    {
    }
}

/// <summary>A <see cref="BlobRef"/> was opened a second time while another <see cref="SharedBlob"/> still holds it; a blob is consumed once.</summary>
public sealed class BlobAlreadyConsumedException : TypedIpcException
{
    /// <summary>Creates the exception.</summary>
    public BlobAlreadyConsumedException(string message, int consumerProcessId) : base(message)
    {
        ConsumerProcessId = consumerProcessId;
    }

    /// <summary>
    /// The id of the process that consumed the blob, as that process sees it (in another PID namespace, such as another
    /// container, it is not this machine's view of it); 0 when it cannot be read.
    /// </summary>
    public int ConsumerProcessId { get; }
}
