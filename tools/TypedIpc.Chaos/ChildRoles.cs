using System.Diagnostics;

namespace TypedIpc.Chaos;

/// <summary>The code that runs in the child processes the supervisors start (this program again, in a role).</summary>
public static class ChildRoles
{
    public const string Producer = "producer";
    public const string Consumer = "consumer";
    public const string Opener = "opener";
    public const string StressProducer = "stress-producer";
    public const string StressConsumer = "stress-consumer";

    /// <summary>
    /// The largest batch a producer of odd incarnation puts with PutMany (sizes 1 to this, at random): more than the 32
    /// records a batch put publishes at a time, so that kills land between its publications too.
    /// </summary>
    public const int MaxBatch = 40;

    /// <summary>Runs the role named by <paramref name="arguments"/>[0] on a queue of <typeparamref name="TMessage"/>; returns the process exit code.</summary>
    public static int Run<TMessage>(string[] arguments)
        where TMessage : IChaosMessage<TMessage>
    {
        string role = arguments[0];
        string queueName = arguments[1];
        int maxsize = int.Parse(arguments[2]);
        switch (role)
        {
            case Producer:
                Produce<TMessage>(queueName, maxsize, RunDirectory.Existing(arguments[3]), id: int.Parse(arguments[4]));
                return 0;
            case Consumer:
                Consume<TMessage>(queueName, maxsize, RunDirectory.Existing(arguments[3]), id: int.Parse(arguments[4]));
                return 0;
            case Opener:
                using (var queue = SharedQueue<TMessage>.Open(queueName, maxsize, TMessage.QueueOptions))
                {
                    queue.Put(TMessage.Create(0, Environment.ProcessId));
                }

                return 0;
            case StressProducer:
                StressRun.Produce<TMessage>(queueName, maxsize, producer: int.Parse(arguments[3]), count: long.Parse(arguments[4]));
                return 0;
            case StressConsumer:
                StressRun.Consume<TMessage>(queueName, maxsize, resultPath: arguments[3], producers: int.Parse(arguments[4]), perProducer: long.Parse(arguments[5]));
                return 0;
            default:
                Console.Error.WriteLine($"unknown role '{role}'");
                return 2;
        }
    }

    // Puts as fast as the queue takes messages (so that consumers are busy, and a kill often lands inside a Get)
    // and logs each sequence once its Put has returned. Producers of odd incarnation put batches with PutMany.
    private static void Produce<TMessage>(string queueName, int maxsize, RunDirectory run, int id)
        where TMessage : IChaosMessage<TMessage>
    {
        using var control = ControlBlock.Open(run.ControlFile);
        using var queue = SharedQueue<TMessage>.Open(queueName, maxsize, TMessage.QueueOptions);
        using var log = new AppendLog(run.ProducerLog(id));
        var random = new Random(id);
        var batch = new TMessage[MaxBatch];
        var records = new byte[MaxBatch * ProducerRecord.Bytes];
        long sequence = 0;
        while (!control.Stopping)
        {
            if (control.ProducersPaused)
            {
                Thread.Sleep(1);
                continue;
            }

            int count = id % 2 == 1 ? random.Next(1, MaxBatch + 1) : 1;
            for (int i = 0; i < count; i++)
            {
                batch[i] = TMessage.Create(id, sequence + i);
                ProducerRecord.Write(records.AsSpan(i * ProducerRecord.Bytes), sequence + i);
            }

            if (count == 1)
            {
                queue.Put(batch[0]);
            }
            else
            {
                queue.PutMany(batch.AsSpan(0, count));
            }

            log.Append(records.AsSpan(0, count * ProducerRecord.Bytes));
            sequence += count;
        }
    }

    // Gets until a stop message arrives and logs every message before getting the next.
    private static void Consume<TMessage>(string queueName, int maxsize, RunDirectory run, int id)
        where TMessage : IChaosMessage<TMessage>
    {
        using var control = ControlBlock.Open(run.ControlFile);
        using var queue = SharedQueue<TMessage>.Open(queueName, maxsize, TMessage.QueueOptions);
        using var log = new AppendLog(run.ConsumerLog(id));
        Span<byte> record = stackalloc byte[ConsumerRecord.Bytes];
        while (true)
        {
            if (control.ConsumersPaused)
            {
                Thread.Sleep(1);
                continue;
            }

            ConsumerRecord received;
            try
            {
                TMessage message = queue.Get();
                if (message.IsStop)
                {
                    return;
                }

                received = new ConsumerRecord(message.Producer, message.IsIntact(), message.Sequence, Stopwatch.GetTimestamp());
            }
            catch (MessageCorruptedException)
            {
                received = ConsumerRecord.Unreadable(Stopwatch.GetTimestamp());
            }

            received.Write(record);
            log.Append(record);
        }
    }
}
