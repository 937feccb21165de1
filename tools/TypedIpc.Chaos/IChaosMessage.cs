namespace TypedIpc.Chaos;

/// <summary>
/// A message the chaos and stress runs move: made from (producer, sequence) alone, so that a consumer can check
/// on its own whether what it got is intact, and who sent it at which place in that producer's order.
/// </summary>
public interface IChaosMessage<TSelf>
    where TSelf : IChaosMessage<TSelf>
{
    /// <summary>The value of --message that selects this type; the supervisor passes it to its children, which open the queue with the same type.</summary>
    static abstract string Kind { get; }

    /// <summary>Every queue of a run is opened with these options, by every process.</summary>
    static abstract QueueOptions QueueOptions { get; }

    /// <summary>Tells a consumer to finish; the supervisor puts one per consumer after the producers stopped.</summary>
    static abstract TSelf Stop { get; }

    int Producer { get; }

    long Sequence { get; }

    bool IsStop { get; }

    static abstract TSelf Create(int producer, long sequence);

    /// <summary>True when the message is exactly what <see cref="Create"/> made for its (producer, sequence).</summary>
    bool IsIntact();
}
