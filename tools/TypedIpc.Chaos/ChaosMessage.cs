using System.Buffers.Binary;
using MemoryPack;

namespace TypedIpc.Chaos;

/// <summary>
/// What producers put: who sent it, its place in that producer's order, a payload of varying length and a checksum
/// over all three. The payload is derived from (producer, sequence), so a consumer can tell a damaged message
/// from an intact one without any other knowledge.
/// </summary>
[MemoryPackable]
public sealed partial record ChaosMessage(int Producer, long Sequence, byte[] Payload, ulong Checksum) : IChaosMessage<ChaosMessage>
{
    public const int MaxPayloadBytes = 96;
    public const int StopProducer = -1;

    public static string Kind => "packed";

    public static QueueOptions QueueOptions { get; } = new() { MaxMessageBytes = 256 };

    public static ChaosMessage Stop { get; } = new(StopProducer, 0, [], 0);

    public bool IsStop => Producer == StopProducer;

    public static ChaosMessage Create(int producer, long sequence)
    {
        byte[] payload = new byte[PayloadLength(producer, sequence)];
        FillPayload(producer, sequence, payload);
        return new ChaosMessage(producer, sequence, payload, ChecksumOf(producer, sequence, payload));
    }

    /// <summary>True when payload and checksum are exactly what <see cref="Create"/> made for (producer, sequence).</summary>
    public bool IsIntact()
    {
        if (Producer < 0 || Sequence < 0 || Payload.Length != PayloadLength(Producer, Sequence))
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[Payload.Length];
        FillPayload(Producer, Sequence, expected);
        return expected.SequenceEqual(Payload) && Checksum == ChecksumOf(Producer, Sequence, Payload);
    }

    private static int PayloadLength(int producer, long sequence) => (int)((sequence * 31 + producer) % (MaxPayloadBytes + 1));

    private static void FillPayload(int producer, long sequence, Span<byte> payload)
    {
        for (int i = 0; i < payload.Length; i++)
        {
            payload[i] = (byte)(producer * 7 + sequence + i);
        }
    }

    /// <summary>FNV-1a 64 over producer, sequence (little-endian) and payload.</summary>
    public static ulong ChecksumOf(int producer, long sequence, ReadOnlySpan<byte> payload)
    {
        Span<byte> key = stackalloc byte[12];
        BinaryPrimitives.WriteInt32LittleEndian(key, producer);
        BinaryPrimitives.WriteInt64LittleEndian(key[4..], sequence);
        ulong hash = Fnv(0xcbf29ce484222325, key);
        return Fnv(hash, payload);
    }

    private static ulong Fnv(ulong hash, ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            hash = (hash ^ b) * 0x100000001b3;
        }

        return hash;
    }
}
