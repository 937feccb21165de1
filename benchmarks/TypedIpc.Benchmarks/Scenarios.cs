using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace TypedIpc.Benchmarks;

/// <summary>The parent side of each mode: launches the children, measures, and returns the JSON result line.</summary>
public static class Scenarios
{
    /// <summary>
    /// Untimed seconds before each throughput and ping-pong measurement, so that the JIT's optimized (tier-1) code is
    /// what gets measured; the native and Python peers have no JIT to wait for.
    /// </summary>
    public const double WarmupSeconds = 0.5;

    private const int MaxRoundTrips = 2_000_000;

    /// <summary>The GetAsync calls the wake mode leaves pending on one queue to count the threads they add.</summary>
    private const int PendingGets = 1000;

    /// <summary>How many pending GetAsync calls the wake mode cancels, one at a time, to time the cancellation.</summary>
    private const int Cancellations = 100;
    private static readonly TimeSpan s_settleTime = TimeSpan.FromMilliseconds(500);

    public static string Run<T>(BenchOptions options)
        where T : IBenchMessage<T>
    {
        try
        {
            return options.Mode switch
            {
                "throughput" => Throughput<T>(options),
                "pingpong" => PingPong<T>(options),
                "wake" => Wake(options),
                _ => Idle<T>(options),
            };
        }
        finally
        {
            Channels.Remove(options);
        }
    }

    private static string Throughput<T>(BenchOptions options)
        where T : IBenchMessage<T>
    {
        var children = new List<ChildProcess>();
        try
        {
            List<ChildProcess> consumers = StartReady(children, ChildRoles.Consumer, options.Consumers, options);
            StartReady(children, ChildRoles.Producer, options.Producers, options);
            long measureFrom = Stopwatch.GetTimestamp() + (long)(WarmupSeconds * Stopwatch.Frequency);
            children.ForEach(child => child.SendGo(measureFrom));
            long received = 0;
            long finished = 0;
            foreach (ChildProcess consumer in consumers)
            {
                long[] result = consumer.ReadLine().Split(' ').Select(field => long.Parse(field, CultureInfo.InvariantCulture)).ToArray();
                received += result[0];
                finished = Math.Max(finished, result[1]);
            }

            children.ForEach(child => child.WaitForSuccess());
            double seconds = Stopwatch.GetElapsedTime(measureFrom, finished).TotalSeconds;
            return Report(options, new()
            {
                ["bytes"] = options.Bytes,
                ["producers"] = options.Producers,
                ["consumers"] = options.Consumers,
                ["messages"] = received,
                ["seconds"] = seconds,
                ["msgs_per_sec"] = received / seconds,
            });
        }
        finally
        {
            children.ForEach(child => child.Dispose());
        }
    }

    private static string PingPong<T>(BenchOptions options)
        where T : IBenchMessage<T>
    {
        using ChildProcess ponger = ChildProcess.Start(ChildRoles.Ponger, options);
        ponger.WaitUntilReady();
        var samples = new double[MaxRoundTrips];
        int count = 0;
        using (IMessageChannel<T> channel = Channels.Open<T>(options, ChannelEnd.Dialer, () => { }))
        {
            count = MeasureRoundTrips(channel, options, samples).GetAwaiter().GetResult();
            channel.Send(T.Stop(options.Bytes));
            channel.Receive();
        }

        ponger.WaitForSuccess();
        Array.Sort(samples, 0, count);
        return Report(options, new()
        {
            ["bytes"] = options.Bytes,
            ["round_trips"] = count,
            ["p50_us"] = samples[count / 2],
            ["p99_us"] = samples[count * 99 / 100],
        });
    }

    /// <summary>Warms up, then times round trips into <paramref name="samples"/> (µs); blocking, or awaiting with --async.</summary>
    private static async Task<int> MeasureRoundTrips<T>(IMessageChannel<T> channel, BenchOptions options, double[] samples)
        where T : IBenchMessage<T>
    {
        T message = T.Create(0, options.Bytes);
        long warmupEnd = Stopwatch.GetTimestamp() + (long)(WarmupSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < warmupEnd)
        {
            await RoundTrip(channel, message, options.Async);
        }

        int count = 0;
        long deadline = Stopwatch.GetTimestamp() + (long)(options.Seconds * Stopwatch.Frequency);
        for (long started = Stopwatch.GetTimestamp(); started < deadline && count < samples.Length; started = Stopwatch.GetTimestamp())
        {
            await RoundTrip(channel, message, options.Async);
            // Not GetElapsedTime: a TimeSpan would round every sample down to 100 ns.
            samples[count++] = (Stopwatch.GetTimestamp() - started) * 1e6 / Stopwatch.Frequency;
        }

        return count;
    }

    /// <summary>
    /// One round trip. The blocking one is no async method (whose state machine the C peers' loops do not pay for): it
    /// completes synchronously, so its loop never leaves this thread.
    /// </summary>
    private static ValueTask RoundTrip<T>(IMessageChannel<T> channel, T message, bool awaiting)
    {
        if (awaiting)
        {
            return AwaitedRoundTrip(channel, message);
        }

        channel.Send(message);
        channel.Receive();
        return ValueTask.CompletedTask;
    }

    private static async ValueTask AwaitedRoundTrip<T>(IMessageChannel<T> channel, T message)
    {
        await channel.SendAsync(message);
        await channel.ReceiveAsync();
    }

    /// <summary>
    /// How long a put in another process takes to wake a getter asleep in the kernel: a blocking Get, or with --async an
    /// awaited GetAsync (whose queue's watcher thread sleeps); the putter pauses before each put, so every get sleeps.
    /// With --async it also counts the threads 1,000 pending GetAsync calls add, and times cancelling one.
    /// </summary>
    private static string Wake(BenchOptions options)
    {
        options = options with { Message = MessageKind.Tick };
        using ChildProcess waker = ChildProcess.Start(ChildRoles.Waker, options);
        waker.WaitUntilReady();
        double[] latencies;
        using (IMessageChannel<Tick> channel = Channels.Open<Tick>(options, ChannelEnd.Dialer, () => { }))
        {
            waker.SendGo(Stopwatch.GetTimestamp());
            latencies = ReceiveWakes(channel, options).GetAwaiter().GetResult();
        }

        waker.WaitForSuccess();
        Array.Sort(latencies);
        var measurements = new Dictionary<string, object>
        {
            ["samples"] = latencies.Length,
            ["p50_us"] = latencies[latencies.Length / 2],
            ["p99_us"] = latencies[latencies.Length * 99 / 100],
        };
        if (options.Async)
        {
            PendingGetFigures(options, measurements);
        }

        return Report(options, measurements);
    }

    private static async Task<double[]> ReceiveWakes(IMessageChannel<Tick> channel, BenchOptions options)
    {
        var latencies = new double[options.Samples];
        for (int i = 0; i < latencies.Length; i++)
        {
            Tick tick = options.Async ? await channel.ReceiveAsync() : channel.Receive();
            latencies[i] = Stopwatch.GetElapsedTime(tick.Timestamp).TotalMicroseconds;
        }

        Tick stop = options.Async ? await channel.ReceiveAsync() : channel.Receive();
        return stop.IsStop ? latencies : throw new InvalidOperationException("the waker sent more messages than asked for.");
    }

    /// <summary>Threads added by <see cref="PendingGets"/> pending GetAsync calls on one queue, and how soon a canceled one ends.</summary>
    private static void PendingGetFigures(BenchOptions options, Dictionary<string, object> measurements)
    {
        string name = $"{options.Name}-pending";
        try
        {
            using var queue = SharedQueue<Tick>.Open(name, 1024);
            int threadsBefore = ThreadCount();
            Task<Tick>[] pending = Enumerable.Range(0, PendingGets).Select(_ => queue.GetAsync().AsTask()).ToArray();
            Thread.Sleep(s_settleTime); // lets the watcher thread start and fall asleep
            measurements["pending_gets"] = PendingGets;
            measurements["threads_added"] = ThreadCount() - threadsBefore;

            var cancelMs = new double[Cancellations];
            for (int i = 0; i < cancelMs.Length; i++)
            {
                using var cancellation = new CancellationTokenSource();
                // What an awaiting caller sees: the moment its continuation runs.
                Task<long> ended = queue.GetAsync(cancellationToken: cancellation.Token).AsTask()
                    .ContinueWith(_ => Stopwatch.GetTimestamp(), TaskContinuationOptions.ExecuteSynchronously);
                long canceledAt = Stopwatch.GetTimestamp();
                cancellation.Cancel();
                cancelMs[i] = Stopwatch.GetElapsedTime(canceledAt, ended.Result).TotalMilliseconds;
            }

            Array.Sort(cancelMs);
            measurements["cancel_p50_ms"] = cancelMs[cancelMs.Length / 2];
            measurements["cancel_max_ms"] = cancelMs[^1];

            queue.Shutdown(immediate: true);
            Task.WhenAll(pending).ContinueWith(_ => { }).Wait(); // every pending get ends with QueueShutDownException
        }
        finally
        {
            SharedQueue<Tick>.Unlink(name);
        }
    }

    private static int ThreadCount() => Directory.GetDirectories("/proc/self/task").Length;

    private static string Idle<T>(BenchOptions options)
        where T : IBenchMessage<T>
    {
        using ChildProcess consumer = ChildProcess.Start(ChildRoles.Blocked, options);
        consumer.WaitUntilReady();
        using IMessageChannel<T> channel = Channels.Open<T>(options, ChannelEnd.Dialer, () => { });
        Thread.Sleep(s_settleTime);
        double cpuBefore = ProcStat.CpuSecondsOf(consumer.Id);
        long started = Stopwatch.GetTimestamp();
        Thread.Sleep(TimeSpan.FromSeconds(options.Seconds));
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        double cpu = ProcStat.CpuSecondsOf(consumer.Id) - cpuBefore;
        channel.Send(T.Stop(options.Bytes));
        consumer.WaitForSuccess();
        return Report(options, new() { ["seconds"] = seconds, ["cpu_percent"] = 100 * cpu / seconds });
    }

    private static List<ChildProcess> StartReady(List<ChildProcess> all, string role, int count, BenchOptions options)
    {
        var started = new List<ChildProcess>();
        for (int i = 0; i < count; i++)
        {
            ChildProcess child = ChildProcess.Start(role, options);
            all.Add(child);
            started.Add(child);
        }

        started.ForEach(child => child.WaitUntilReady());
        return started;
    }

    private static string Report(BenchOptions options, Dictionary<string, object> measurements)
    {
        var line = new Dictionary<string, object>
        {
            ["peer"] = options.Peer.ToString().ToLowerInvariant(),
            ["mode"] = options.Mode,
            ["message"] = options.Message.ToString().ToLowerInvariant(),
            ["async"] = options.Async,
        };
        return JsonSerializer.Serialize(line.Concat(measurements).ToDictionary());
    }
}
