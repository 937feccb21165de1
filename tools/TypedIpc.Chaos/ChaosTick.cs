using System.Runtime.CompilerServices;

namespace TypedIpc.Chaos;

/// <summary>
/// The unmanaged counterpart of <see cref="ChaosMessage"/>: who sent it, its place in that producer's order and a
/// checksum over both. With no references and 24 bytes, within the 112 bytes a bounded queue's slot carries inline,
/// it is put and got by the queue's lean path (its raw bytes copied, TryPutRaw and TryTakeRaw), and batches copy it
/// raw too; a damaged one fails its checksum.
/// </summary>
public readonly record struct ChaosTick(int Producer, long Sequence, ulong Checksum) : IChaosMessage<ChaosTick>
{
    public static string Kind => "raw";

    // The same limit as the packed runs', so that both kinds run on queues of the same geometry.
    public static QueueOptions QueueOptions { get; } = new()
    {
        MaxMessageBytes = Math.Max(ChaosMessage.QueueOptions.MaxMessageBytes, Unsafe.SizeOf<ChaosTick>()),
    };

    public static ChaosTick Stop { get; } = new(ChaosMessage.StopProducer, 0, 0);

    public bool IsStop => Producer == ChaosMessage.StopProducer;

    public static ChaosTick Create(int producer, long sequence) => new(producer, sequence, ChaosMessage.ChecksumOf(producer, sequence, []));

    public bool IsIntact() => Producer >= 0 && Sequence >= 0 && Checksum == ChaosMessage.ChecksumOf(Producer, Sequence, []);
}
