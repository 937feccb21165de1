using System.Buffers;

namespace TypedIpc.Internal;

/// <summary>
/// One reusable serialization buffer per thread. Kept outside the generic queue type so that reaching the
/// thread-static costs no generic-dictionary lookup.
/// </summary>
internal static class SerializationBuffer
{
    private const int RetainedBytes = 64 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    /// <summary>This thread's buffer, emptied.</summary>
    public static ArrayBufferWriter<byte> Rent()
    {
        ArrayBufferWriter<byte> buffer = t_buffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        return buffer;
    }

    /// <summary>Lets go of a buffer an oversize message has grown, instead of keeping it for the thread's lifetime.</summary>
    public static void ReleaseIfLarge()
    {
        if (t_buffer is { Capacity: > RetainedBytes })
        {
            t_buffer = null;
        }
    }
}
