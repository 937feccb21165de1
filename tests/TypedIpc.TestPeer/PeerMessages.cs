using MemoryPack;

namespace TypedIpc.TestPeer;

/// <summary>A message that says who sent it, in which order, and when (Stopwatch ticks, comparable across processes on Linux).</summary>
[MemoryPackable]
public partial record struct Numbered(int Producer, long Sequence, long Timestamp)
{
    /// <summary>The producer id of the message that tells a consumer to stop.</summary>
    public const int StopProducer = -1;

    public static Numbered Stop => new(StopProducer, 0, 0);

    public bool IsStop => Producer == StopProducer;
}
