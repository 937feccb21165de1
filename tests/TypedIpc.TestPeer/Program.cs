using System.Diagnostics;
using TypedIpc;
using TypedIpc.TestPeer;

// A child process for TypedIpc's cross-process tests. Every queue role takes the queue name and maxsize first;
// the shared-blob roles (blob-*) are in BlobRoles, those of sized records, racing creators and /dev/shm capacity in RecordRoles,
// those of joinable queues in JoinableRoles.
// Exit codes: 0 = done, 2 = bad arguments, 3 = an exception (printed on stderr).
try
{
    string role = args[0];
    if (role.StartsWith("blob-", StringComparison.Ordinal))
    {
        return BlobRoles.Run(role, args[1..]);
    }

    if (RecordRoles.Handles(role))
    {
        return RecordRoles.Run(role, args[1..]);
    }

    if (JoinableRoles.Handles(role))
    {
        return JoinableRoles.Run(role, args[1..]);
    }

    string name = args[1];
    int maxsize = int.Parse(args[2]);
    using var queue = SharedQueue<Numbered>.Open(name, maxsize);
    switch (role)
    {
        case "produce":
            Produce(queue, producer: int.Parse(args[3]), count: long.Parse(args[4]));
            break;
        case "consume":
            Consume(queue, outputPath: args[3]);
            break;
        case "get-one":
            Numbered item = queue.Get();
            Console.WriteLine($"got {item.Producer} {item.Sequence}");
            break;
        case "echo-latency":
            EchoLatency(queue, replyName: args[3], count: int.Parse(args[4]));
            break;
        case "get-until-shut-down":
            GetUntilShutDown(queue);
            break;
        case "put-until-shut-down":
            PutUntilShutDown(queue, producer: int.Parse(args[3]));
            break;
        case "shut-down":
            // Prints "shut down <Stopwatch timestamp from just before the call>".
            long shutDownAt = Stopwatch.GetTimestamp();
            queue.Shutdown(immediate: args.Length > 3 && args[3] == "immediate");
            Console.WriteLine($"shut down {shutDownAt}");
            break;
        case "probe-shut-down":
            Console.WriteLine($"IsShutDown {queue.IsShutDown}");
            Console.WriteLine(Throws<QueueShutDownException>(() => queue.Put(new Numbered(0, 0, 0))) ? "Put threw" : "Put went in");
            break;
        case "hold":
            // Stays attached (owning a process-table entry) until killed.
            Console.WriteLine("ready");
            Console.In.ReadLine();
            break;
        default:
            Console.Error.WriteLine($"unknown role '{role}'");
            return 2;
    }

    return 0;
}
catch (Exception e)
{
    Console.Error.WriteLine(e);
    return 3;
}

static void Produce(SharedQueue<Numbered> queue, int producer, long count)
{
    for (long sequence = 0; sequence < count; sequence++)
    {
        queue.Put(new Numbered(producer, sequence, 0));
    }
}

// Writes (producer, sequence, Stopwatch timestamp of receipt) as three little-endian longs per message,
// until a stop message arrives.
static void Consume(SharedQueue<Numbered> queue, string outputPath)
{
    using var output = new BinaryWriter(File.Create(outputPath));
    while (true)
    {
        Numbered item = queue.Get();
        if (item.IsStop)
        {
            return;
        }

        output.Write((long)item.Producer);
        output.Write(item.Sequence);
        output.Write(Stopwatch.GetTimestamp());
    }
}

// Gets each message and answers with how long it took from the sender's Put to this Get's return.
static void EchoLatency(SharedQueue<Numbered> queue, string replyName, int count)
{
    using var replies = SharedQueue<Numbered>.Open(replyName, 1);
    for (int i = 0; i < count; i++)
    {
        Numbered item = queue.Get();
        long latency = Stopwatch.GetTimestamp() - item.Timestamp;
        replies.Put(new Numbered(0, item.Sequence, latency));
    }
}

// Prints "got <producer> <sequence>" per item until a get throws QueueShutDownException, then "shut down <Stopwatch timestamp>".
static void GetUntilShutDown(SharedQueue<Numbered> queue)
{
    try
    {
        while (true)
        {
            Numbered item = queue.Get();
            Console.WriteLine($"got {item.Producer} {item.Sequence}");
        }
    }
    catch (QueueShutDownException)
    {
        Console.WriteLine($"shut down {Stopwatch.GetTimestamp()}");
    }
}

// Puts sequence 0, 1, ... until a put throws QueueShutDownException, then prints "shut down after <items put> <Stopwatch timestamp>".
static void PutUntilShutDown(SharedQueue<Numbered> queue, int producer)
{
    long sequence = 0;
    try
    {
        while (true)
        {
            queue.Put(new Numbered(producer, sequence, 0));
            sequence++;
        }
    }
    catch (QueueShutDownException)
    {
        Console.WriteLine($"shut down after {sequence} {Stopwatch.GetTimestamp()}");
    }
}

static bool Throws<TException>(Action call)
    where TException : Exception
{
    try
    {
        call();
        return false;
    }
    catch (TException)
    {
        return true;
    }
}
