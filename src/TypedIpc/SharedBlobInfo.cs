namespace TypedIpc;

/// <summary>One shared blob's file in /dev/shm, as <see cref="SharedQueues.ListBlobs"/> found it.</summary>
/// <param name="Name">The blob's name (32 hexadecimal digits), as in its <see cref="BlobRef"/>.</param>
/// <param name="Path">Its file.</param>
/// <param name="State">Where it is in its life.</param>
/// <param name="Bytes">The file's size (the data and a 64-byte header); null when it is not a regular file of this user.</param>
/// <param name="OwnerPid">
/// The process id of its owner (the writer until it is opened, then the reader) as that process recorded it, for
/// display only; null when unknown.
/// </param>
/// <param name="OwnerAlive">
/// False only when the kernel says the owner exited (its liveness file is gone or unlocked): then nobody will read
/// the blob and <see cref="SharedBlob.Sweep"/> or <see cref="SharedQueues.Purge"/> removes it.
/// </param>
public sealed record SharedBlobInfo(string Name, string Path, SharedBlobState State, long? Bytes, int? OwnerPid, bool OwnerAlive);

/// <summary>Where a shared blob is in its life.</summary>
public enum SharedBlobState
{
    /// <summary>Its writer is still writing it (a hidden file nobody can open yet).</summary>
    Writing,

    /// <summary>Written, waiting for its receiver's <see cref="BlobRef.Open"/>.</summary>
    Written,

    /// <summary>Opened by its receiver, until the receiver disposes it.</summary>
    Opened,
}
