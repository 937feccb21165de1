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
            T message = T.Create(0, options.Bytes);
            long warmupEnd = Stopwatch.GetTimestamp() + (long)(WarmupSeconds * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < warmupEnd)
            {
                channel.Send(message);
                channel.Receive();
            }

            long deadline = Stopwatch.GetTimestamp() + (long)(options.Seconds * Stopwatch.Frequency);
            for (long started = Stopwatch.GetTimestamp(); started < deadline && count < MaxRoundTrips; started = Stopwatch.GetTimestamp())
            {
                channel.Send(message);
                channel.Receive();
                // Not GetElapsedTime: a TimeSpan would round every sample down to 100 ns.
                samples[count++] = (Stopwatch.GetTimestamp() - started) * 1e6 / Stopwatch.Frequency;
            }

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
        };
        return JsonSerializer.Serialize(line.Concat(measurements).ToDictionary());
    }
}
