using MemoryPack;
using TypedIpc;

namespace BigPayloads;

/// <summary>A frame sent the recommended way: its pixels in a shared blob, a reference of a few dozen bytes in the message.</summary>
[IpcQueue(maxsize: 4), MemoryPackable]
public partial record BlobFrame(int Sequence, BlobRef Pixels);

/// <summary>
/// The same frame with its pixels inside the message, for comparison. Every slot of its queue reserves
/// <see cref="MaxFrameBytes"/> plus room for the rest of the message, and each put copies the pixels into the queue.
/// </summary>
[IpcQueue(maxsize: 2, MaxMessageBytes = MaxFrameBytes + 64), MemoryPackable]
public partial record InlineFrame(
    int Sequence,
#pragma warning disable TIPC001 // on purpose: this sample measures what carrying the bytes in the message costs
    byte[] Pixels);
#pragma warning restore TIPC001

/// <summary>What the consumer sends back for each frame: the XXH3 hash of the pixels it received.</summary>
[IpcQueue, MemoryPackable]
public partial record Receipt(int Sequence, ulong Hash);

public partial record InlineFrame
{
    /// <summary>The largest frame the sample sends: 8 MiB.</summary>
    public const int MaxFrameBytes = 8 << 20;
}
