using MemoryPack;

namespace TypedIpc.Benchmarks;

/// <summary>A message the scenarios can make in bulk and end a stream with (the stop message every peer uses).</summary>
public interface IBenchMessage<TSelf>
    where TSelf : IBenchMessage<TSelf>
{
    bool IsStop { get; }

    static abstract TSelf Create(long sequence, int payloadBytes);

    static abstract TSelf Stop(int payloadBytes);
}

/// <summary>The small class message of the issue: a ~40-byte path and a priority.</summary>
[MemoryPackable]
public sealed partial record Job(string Path, int Priority) : IBenchMessage<Job>
{
    /// <summary>40 characters, the same path the Python peer sends.</summary>
    public const string SamplePath = "/var/spool/jobs/2026/11/28/job-00001.bin";

    [MemoryPackIgnore]
    public bool IsStop => Priority < 0;

    public static Job Create(long sequence, int payloadBytes) => new(SamplePath, (int)(sequence & int.MaxValue));

    public static Job Stop(int payloadBytes) => new(SamplePath, -1);
}

/// <summary>An unmanaged 32-byte message: MemoryPack copies it as raw memory.</summary>
public readonly record struct Tick(long Sequence, long Timestamp, long A, long B) : IBenchMessage<Tick>
{
    public bool IsStop => Sequence < 0;

    public static Tick Create(long sequence, int payloadBytes) => new(sequence, sequence, sequence, sequence);

    public static Tick Stop(int payloadBytes) => new(-1, 0, 0, 0);
}

/// <summary>An opaque payload of a chosen size, for the message-size sweep.</summary>
[MemoryPackable]
public sealed partial record Blob(byte[] Data) : IBenchMessage<Blob>
{
    [ThreadStatic]
    private static byte[]? t_payload;

    [MemoryPackIgnore]
    public bool IsStop => Data.Length == 0;

    public static Blob Create(long sequence, int payloadBytes)
    {
        byte[] payload = t_payload is { } cached && cached.Length == payloadBytes ? cached : t_payload = new byte[payloadBytes];
        return new Blob(payload);
    }

    public static Blob Stop(int payloadBytes) => new([]);
}
