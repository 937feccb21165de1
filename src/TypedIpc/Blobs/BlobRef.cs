using MemoryPack;

namespace TypedIpc;

/// <summary>
/// A reference to bytes written with <see cref="SharedBlob.Write(ReadOnlySpan{byte})"/>: a few dozen bytes to put on a
/// queue in place of the data. The receiver calls <see cref="Open"/> once to read the data.
/// </summary>
/// <param name="Name">The blob's name: 32 hexadecimal digits, the file <c>/dev/shm/typedipc-blob.&lt;Name&gt;</c>.</param>
/// <param name="Length">The number of bytes in the blob.</param>
/// <param name="Checksum">The XXH3 64-bit hash of the bytes, checked by <see cref="Open"/>.</param>
[MemoryPackable]
public sealed partial record BlobRef(string Name, long Length, ulong Checksum)
{
    /// <summary>
    /// Consumes the blob: maps its bytes into this process, checks them against <see cref="Length"/> and
    /// <see cref="Checksum"/>, and takes the blob's name, so that it can be opened only once. Disposing the returned
    /// <see cref="SharedBlob"/> frees the shared memory.
    /// </summary>
    /// <exception cref="BlobNotFoundException">The blob does not exist (never written, already consumed and disposed, or swept).</exception>
    /// <exception cref="BlobAlreadyConsumedException">Another <see cref="SharedBlob"/> holds the blob right now.</exception>
    /// <exception cref="BlobCorruptedException">The bytes do not match the reference; the blob is removed.</exception>
    /// <exception cref="ArgumentException"><see cref="Name"/> is not a blob name.</exception>
    public SharedBlob Open() => SharedBlob.Open(this);
}
