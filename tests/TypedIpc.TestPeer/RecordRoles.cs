using MemoryPack;

namespace TypedIpc.TestPeer;

/// <summary>A message of any size: who sent it, in which order, and a payload that fills it to the size asked for.</summary>
[MemoryPackable]
public partial record Sized(int Producer, long Sequence, byte[] Payload)
{
    /// <summary>What MemoryPack adds around the payload: member count, Producer, Sequence and the array's length.</summary>
    public const int OverheadBytes = 1 + 4 + 8 + 4;

    /// <summary>A message that serializes to exactly <paramref name="bytes"/> (at least <see cref="OverheadBytes"/>).</summary>
    public static Sized OfSize(int producer, long sequence, int bytes) =>
        new(producer, sequence, Enumerable.Repeat((byte)sequence, bytes - OverheadBytes).ToArray());
}

/// <summary>A message whose serialization stops for good at one index (see the put-many-held role).</summary>
[MemoryPackable]
public sealed partial record Held(int Index)
{
    /// <summary>The index at which this process's serializer stops; -1: never.</summary>
    public static int HoldAt { get; set; } = -1;

    [MemoryPackOnSerializing]
    private void OnSerializing()
    {
        if (Index == HoldAt)
        {
            Console.WriteLine("holding");
            Thread.Sleep(Timeout.Infinite);
        }
    }
}

/// <summary>The roles for variable-sized records, racing creators and /dev/shm capacity.</summary>
public static class RecordRoles
{
    public static bool Handles(string role) =>
        role is "sized-produce" or "sized-consume" or "sized-hold" or "put-many-held" or "race-open" or "fill-shm";

    public static int Run(string role, string[] args)
    {
        switch (role)
        {
            case "sized-produce":
                // name maxMessageBytes capacityBytes producer count seed: random sizes, put in random batches.
                ProduceSized(OpenSized(args), int.Parse(args[1]), int.Parse(args[3]), int.Parse(args[4]), int.Parse(args[5]));
                return 0;
            case "sized-consume":
                // name maxMessageBytes capacityBytes outputPath: writes (producer, sequence, size) until a message of producer -1.
                ConsumeSized(OpenSized(args), args[3]);
                return 0;
            case "sized-hold":
                // name maxsize: stays attached (owning a process-table entry) until killed.
                using (SharedQueue<Sized>.Open(args[0], int.Parse(args[1])))
                {
                    Console.WriteLine("ready");
                    Console.In.ReadLine();
                }

                return 0;
            case "put-many-held":
                // name maxsize count holdAt: puts Held 0 to count - 1 in one PutMany, whose serializer prints "holding" at
                // item holdAt and never returns: the process holds the Tail with that batch partly written until killed.
                Held.HoldAt = int.Parse(args[3]);
                using (var queue = SharedQueue<Held>.Open(args[0], int.Parse(args[1])))
                {
                    queue.PutMany(Enumerable.Range(0, int.Parse(args[2])).Select(index => new Held(index)).ToArray());
                }

                return 0;
            case "race-open":
                // Opens each named queue (maxsize 64) as soon as it starts and puts its pid into it.
                foreach (string name in args)
                {
                    using var queue = SharedQueue<int>.Open(name, 64);
                    queue.Put(Environment.ProcessId);
                }

                Console.WriteLine($"opened {args.Length}");
                return 0;
            case "fill-shm":
                // prefix: opens default unbounded queues until /dev/shm is full; prints how many opened.
                Console.WriteLine($"opened {FillShm(args[0])}");
                return 0;
            default:
                Console.Error.WriteLine($"unknown role '{role}'");
                return 2;
        }
    }

    private static SharedQueue<Sized> OpenSized(string[] args) =>
        SharedQueue<Sized>.Open(args[0], 0, new QueueOptions { MaxMessageBytes = int.Parse(args[1]), CapacityBytes = long.Parse(args[2]) });

    private static void ProduceSized(SharedQueue<Sized> queue, int maxMessageBytes, int producer, int count, int seed)
    {
        using var owned = queue;
        var random = new Random(seed);
        var batch = new List<Sized>();
        for (int sequence = 0; sequence < count;)
        {
            batch.Clear();
            int size = random.Next(1, 9);
            for (int i = 0; i < size && sequence < count; i++, sequence++)
            {
                batch.Add(Sized.OfSize(producer, sequence, random.Next(Sized.OverheadBytes, maxMessageBytes + 1)));
            }

            queue.PutMany(batch.ToArray());
        }
    }

    private static void ConsumeSized(SharedQueue<Sized> queue, string outputPath)
    {
        using var owned = queue;
        using var output = new BinaryWriter(File.Create(outputPath));
        var received = new Sized[16];
        while (true)
        {
            int count = queue.GetMany(received);
            for (int i = 0; i < count; i++)
            {
                Sized item = received[i];
                if (item.Producer < 0)
                {
                    // Only stops follow a stop (the producers are done): leave the others' stops to them.
                    queue.PutMany(received.AsSpan(i + 1, count - i - 1));
                    return;
                }

                if (item.Payload.Any(b => b != (byte)item.Sequence))
                {
                    throw new InvalidDataException($"message {item.Producer}/{item.Sequence} arrived with a damaged payload.");
                }

                output.Write(item.Producer);
                output.Write(item.Sequence);
                output.Write(item.Payload.Length + Sized.OverheadBytes);
            }
        }
    }

    private static int FillShm(string prefix)
    {
        var queues = new List<SharedQueue<long>>();
        try
        {
            while (true)
            {
                try
                {
                    queues.Add(SharedQueue<long>.Open($"{prefix}.{queues.Count}"));
                }
                catch (SharedMemoryException e) when (e.Message.Contains("not enough space", StringComparison.Ordinal))
                {
                    return queues.Count;
                }
            }
        }
        finally
        {
            for (int i = 0; i < queues.Count; i++)
            {
                queues[i].Dispose();
                SharedQueue<long>.Unlink($"{prefix}.{i}");
            }
        }
    }
}
