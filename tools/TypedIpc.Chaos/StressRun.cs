using System.Buffers.Binary;
using System.Collections;
using System.Diagnostics;

namespace TypedIpc.Chaos;

/// <summary>
/// The stress run: 4 producer and 4 consumer processes move N messages through one queue with nobody killed.
/// Each consumer keeps, per producer, a bitmap of the sequences it got and checks that they arrive in order;
/// the supervisor adds the bitmaps up: every sequence must have been got exactly once.
/// </summary>
public static class StressRun
{
    private const int ProducerCount = 4;
    private const int ConsumerCount = 4;
    private const int MaxSize = 1024;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(30);

    public static int Run<TMessage>(long messages)
        where TMessage : IChaosMessage<TMessage>
    {
        long perProducer = messages / ProducerCount;
        string queueName = $"typedipc-stress.{Guid.NewGuid():N}";
        using var run = RunDirectory.Create(keep: false);
        var children = new List<Child>();
        try
        {
            using var queue = SharedQueue<TMessage>.Open(queueName, MaxSize, TMessage.QueueOptions);
            Console.WriteLine($"stress: {perProducer * ProducerCount:N0} {TMessage.Kind} messages ({typeof(TMessage).Name}), {ProducerCount} producers x {ConsumerCount} consumers, maxsize {MaxSize}");
            for (int c = 0; c < ConsumerCount; c++)
            {
                children.Add(Child.Start<TMessage>(ChildRoles.StressConsumer, c, queueName, $"{MaxSize}", ResultPath(run, c), $"{ProducerCount}", $"{perProducer}"));
            }

            long started = Stopwatch.GetTimestamp();
            for (int p = 0; p < ProducerCount; p++)
            {
                children.Add(Child.Start<TMessage>(ChildRoles.StressProducer, p, queueName, $"{MaxSize}", $"{p}", $"{perProducer}"));
            }

            var failures = new List<string>();
            foreach (Child producer in children.Where(c => c.Role == ChildRoles.StressProducer))
            {
                RequireCleanExit(producer, failures);
            }

            for (int c = 0; c < ConsumerCount; c++)
            {
                queue.Put(TMessage.Stop);
            }

            foreach (Child consumer in children.Where(c => c.Role == ChildRoles.StressConsumer))
            {
                RequireCleanExit(consumer, failures);
            }

            TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
            int depth = queue.Count;
            queue.Dispose();
            SharedQueue<TMessage>.Unlink(queueName);
            failures.AddRange(LeftoverFiles.RemoveAll(queueName));
            StressTally tally = failures.Count == 0 ? StressTally.Add(run, ConsumerCount, ProducerCount, perProducer) : StressTally.Empty;
            Console.WriteLine($"delivered:   {tally.Delivered:N0} in {elapsed.TotalSeconds:0.0} s ({tally.Delivered / elapsed.TotalSeconds:N0} messages/s)");
            Console.WriteLine($"lost:        {tally.Lost}; duplicated: {tally.Duplicated}; out of producer order: {tally.OutOfOrder}; corrupted: {tally.Corrupted}; queue depth at the end: {depth}");
            bool passed = failures.Count == 0 && tally.IsClean && depth == 0;
            foreach (string failure in failures)
            {
                Console.WriteLine($"FAIL: {failure}");
            }

            Console.WriteLine(passed ? "stress: PASS" : "stress: FAIL");
            return passed ? 0 : 1;
        }
        finally
        {
            foreach (Child child in children)
            {
                child.Dispose();
            }

            if (File.Exists($"/dev/shm/typedipc.{queueName}"))
            {
                SharedQueue<TMessage>.Unlink(queueName);
            }
        }
    }

    /// <summary>Child role: puts <paramref name="count"/> messages as fast as the queue takes them.</summary>
    public static void Produce<TMessage>(string queueName, int maxsize, int producer, long count)
        where TMessage : IChaosMessage<TMessage>
    {
        using var queue = SharedQueue<TMessage>.Open(queueName, maxsize, TMessage.QueueOptions);
        for (long sequence = 0; sequence < count; sequence++)
        {
            queue.Put(TMessage.Create(producer, sequence));
        }
    }

    /// <summary>
    /// Child role: gets until a stop message, then writes its result file: delivered, out-of-order and corrupted
    /// counts, then one bitmap of received sequences per producer.
    /// </summary>
    public static void Consume<TMessage>(string queueName, int maxsize, string resultPath, int producers, long perProducer)
        where TMessage : IChaosMessage<TMessage>
    {
        using var queue = SharedQueue<TMessage>.Open(queueName, maxsize, TMessage.QueueOptions);
        var received = Enumerable.Range(0, producers).Select(_ => new BitArray(checked((int)perProducer))).ToArray();
        var last = Enumerable.Repeat(-1L, producers).ToArray();
        long delivered = 0, outOfOrder = 0, corrupted = 0, duplicated = 0;
        while (true)
        {
            TMessage message;
            try
            {
                message = queue.Get();
            }
            catch (MessageCorruptedException)
            {
                corrupted++;
                continue;
            }

            if (message.IsStop)
            {
                break;
            }

            delivered++;
            if (!message.IsIntact() || message.Producer >= producers || message.Sequence >= perProducer)
            {
                corrupted++;
                continue;
            }

            outOfOrder += message.Sequence <= last[message.Producer] ? 1 : 0;
            last[message.Producer] = message.Sequence;
            duplicated += received[message.Producer][(int)message.Sequence] ? 1 : 0;
            received[message.Producer][(int)message.Sequence] = true;
        }

        using var result = new BinaryWriter(File.Create(resultPath));
        result.Write(delivered);
        result.Write(outOfOrder);
        result.Write(corrupted);
        result.Write(duplicated);
        var bytes = new byte[(perProducer + 7) / 8];
        foreach (BitArray bits in received)
        {
            bits.CopyTo(bytes, 0);
            result.Write(bytes);
        }
    }

    private static string ResultPath(RunDirectory run, int consumer) => Path.Combine(run.Path, $"stress-consumer-{consumer}.result");

    private static void RequireCleanExit(Child child, List<string> failures)
    {
        if (!child.WaitForExit(Timeout))
        {
            failures.Add($"{child} did not finish within {Timeout.TotalMinutes:0} minutes: it hangs.");
        }
        else if (child.ExitCode != 0)
        {
            failures.Add($"{child} failed with exit code {child.ExitCode}; its error is printed above.");
        }
    }

    /// <summary>The consumers' result files added up.</summary>
    private sealed record StressTally(long Delivered, long Lost, long Duplicated, long OutOfOrder, long Corrupted)
    {
        public static StressTally Empty { get; } = new(0, 0, 0, 0, 0);

        public bool IsClean => Lost == 0 && Duplicated == 0 && OutOfOrder == 0 && Corrupted == 0;

        public static StressTally Add(RunDirectory run, int consumers, int producers, long perProducer)
        {
            int bitmapBytes = (int)((perProducer + 7) / 8);
            var seen = new int[producers, perProducer];
            long delivered = 0, outOfOrder = 0, corrupted = 0, duplicated = 0;
            for (int c = 0; c < consumers; c++)
            {
                byte[] result = File.ReadAllBytes(ResultPath(run, c));
                delivered += BinaryPrimitives.ReadInt64LittleEndian(result);
                outOfOrder += BinaryPrimitives.ReadInt64LittleEndian(result.AsSpan(8));
                corrupted += BinaryPrimitives.ReadInt64LittleEndian(result.AsSpan(16));
                duplicated += BinaryPrimitives.ReadInt64LittleEndian(result.AsSpan(24));
                for (int p = 0; p < producers; p++)
                {
                    ReadOnlySpan<byte> bitmap = result.AsSpan(32 + p * bitmapBytes, bitmapBytes);
                    for (long s = 0; s < perProducer; s++)
                    {
                        seen[p, s] += (bitmap[(int)(s >> 3)] >> (int)(s & 7)) & 1;
                    }
                }
            }

            long lost = 0;
            foreach (int count in seen)
            {
                lost += count == 0 ? 1 : 0;
                duplicated += Math.Max(count - 1, 0);
            }

            return new StressTally(delivered, lost, duplicated, outOfOrder, corrupted);
        }
    }
}
