using MemoryPack;

namespace TypedIpc.Nats.TestPeer;

/// <summary>A message that says who sent it and in which order.</summary>
[MemoryPackable]
public partial record struct Numbered(int Producer, long Sequence)
{
    public const int StopProducer = -1;

    public static Numbered Stop => new(StopProducer, 0);

    public bool IsStop => Producer == StopProducer;
}

/// <summary>
/// A message whose deserialization never returns in a process started with <see cref="StallVariable"/> set: that
/// process is stuck between taking the message from the server and acknowledging it, where a test kills it.
/// </summary>
[MemoryPackable]
public partial record Stalling(string Text)
{
    public const string StallVariable = "TYPEDIPC_TEST_STALL_ON_READ";

    [MemoryPackOnDeserialized]
    private void StallIfAsked()
    {
        if (Environment.GetEnvironmentVariable(StallVariable) == "1")
        {
            Console.WriteLine($"taken {Text}");
            Thread.Sleep(Timeout.Infinite);
        }
    }
}
