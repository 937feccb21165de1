using System.Diagnostics;
using System.Globalization;

namespace TypedIpc.Benchmarks;

/// <summary>The other processes of each mode, started by <see cref="ChildProcess"/>.</summary>
public static class ChildRoles
{
    public const string Producer = "producer";
    public const string Consumer = "consumer";
    public const string Ponger = "ponger";
    public const string Blocked = "blocked";
    public const string Waker = "waker";

    /// <summary>The pause before each put of the wake mode: long past the getter's spin, so that it sleeps in the kernel.</summary>
    private static readonly TimeSpan s_wakeGap = TimeSpan.FromMilliseconds(2);

    /// <summary>Producers and consumers read the clock once per this many messages.</summary>
    internal const int ClockCheckInterval = 64;

    public static void Run<T>(string role, BenchOptions options)
        where T : IBenchMessage<T>
    {
        switch (role)
        {
            case Producer when options.Async:
                ProduceAsync<T>(options).GetAwaiter().GetResult();
                break;
            case Producer:
                Produce<T>(options);
                break;
            case Consumer when options.Async:
                ConsumeAsync<T>(options).GetAwaiter().GetResult();
                break;
            case Consumer:
                Consume<T>(options);
                break;
            case Ponger when options.Async:
                PongAsync<T>(options).GetAwaiter().GetResult();
                break;
            case Ponger:
                Pong<T>(options);
                break;
            case Blocked:
                WaitForOneMessage<T>(options);
                break;
            case Waker:
                Wake<T>(options);
                break;
            default:
                throw new ArgumentException($"unknown child role '{role}'.");
        }
    }

    /// <summary>Puts from "go" through the warm-up and the measured seconds, then one stop message per consumer.</summary>
    private static void Produce<T>(BenchOptions options)
        where T : IBenchMessage<T>
    {
        using IMessageChannel<T> channel = Channels.Open<T>(options, ChannelEnd.Dialer, AnnounceReady);
        long deadline = ChildProcess.ReadGo() + (long)(options.Seconds * Stopwatch.Frequency);
        var batch = new T[options.Batch];
        for (long sequence = 0; sequence % ClockCheckInterval != 0 || Stopwatch.GetTimestamp() < deadline;)
        {
            if (batch.Length == 1)
            {
                channel.Send(T.Create(sequence++, options.Bytes));
                continue;
            }

            for (int i = 0; i < batch.Length; i++)
            {
                batch[i] = T.Create(sequence++, options.Bytes);
            }

            channel.SendMany(batch);
        }

        for (int i = 0; i < options.Consumers; i++)
        {
            channel.Send(T.Stop(options.Bytes));
        }
    }

    /// <summary>
    /// Gets until it has seen one stop message per producer, then reports "count finish": the messages it got after
    /// the measurement started and when it got the last stop. With P producers each sending C stops and each of the
    /// C consumers taking exactly P of them, every message is taken before the last stop.
    /// </summary>
    private static void Consume<T>(BenchOptions options)
        where T : IBenchMessage<T>
    {
        using IMessageChannel<T> channel = Channels.Open<T>(options, ChannelEnd.Listener, AnnounceReady);
        var tally = new Tally(ChildProcess.ReadGo());
        var batch = new T[options.Batch];
        while (tally.Stops < options.Producers)
        {
            int count = batch.Length == 1 ? 1 : channel.ReceiveMany(batch);
            for (int i = 0; i < count; i++)
            {
                tally.Add((batch.Length == 1 ? channel.Receive() : batch[i]).IsStop);
            }
        }

        tally.Report();
    }

    /// <summary>The producer, awaiting one PutAsync at a time.</summary>
    private static async Task ProduceAsync<T>(BenchOptions options)
        where T : IBenchMessage<T>
    {
        using IMessageChannel<T> channel = Channels.Open<T>(options, ChannelEnd.Dialer, AnnounceReady);
        long deadline = ChildProcess.ReadGo() + (long)(options.Seconds * Stopwatch.Frequency);
        for (long sequence = 0; sequence % ClockCheckInterval != 0 || Stopwatch.GetTimestamp() < deadline;)
        {
            await channel.SendAsync(T.Create(sequence++, options.Bytes));
        }

        for (int i = 0; i < options.Consumers; i++)
        {
            await channel.SendAsync(T.Stop(options.Bytes));
        }
    }

    /// <summary>The consumer, awaiting one GetAsync at a time.</summary>
    private static async Task ConsumeAsync<T>(BenchOptions options)
        where T : IBenchMessage<T>
    {
        using IMessageChannel<T> channel = Channels.Open<T>(options, ChannelEnd.Listener, AnnounceReady);
        var tally = new Tally(ChildProcess.ReadGo());
        while (tally.Stops < options.Producers)
        {
            tally.Add((await channel.ReceiveAsync()).IsStop);
        }

        tally.Report();
    }

    private static async Task PongAsync<T>(BenchOptions options)
        where T : IBenchMessage<T>
    {
        using IMessageChannel<T> channel = Channels.Open<T>(options, ChannelEnd.Listener, AnnounceReady);
        T message;
        do
        {
            message = await channel.ReceiveAsync();
            await channel.SendAsync(message);
        }
        while (!message.IsStop);
    }

    /// <summary>
    /// The wake mode's putter: after "go", puts <see cref="BenchOptions.Samples"/> messages made with the Stopwatch timestamp
    /// of their put as the sequence (the mode uses Ticks, which carry it in Timestamp), each after a pause, then a stop.
    /// </summary>
    private static void Wake<T>(BenchOptions options)
        where T : IBenchMessage<T>
    {
        using IMessageChannel<T> channel = Channels.Open<T>(options, ChannelEnd.Listener, AnnounceReady);
        ChildProcess.ReadGo();
        for (int i = 0; i < options.Samples; i++)
        {
            Thread.Sleep(s_wakeGap);
            channel.Send(T.Create(Stopwatch.GetTimestamp(), options.Bytes));
        }

        channel.Send(T.Stop(options.Bytes));
    }

    private static void Pong<T>(BenchOptions options)
        where T : IBenchMessage<T>
    {
        using IMessageChannel<T> channel = Channels.Open<T>(options, ChannelEnd.Listener, AnnounceReady);
        T message;
        do
        {
            message = channel.Receive();
            channel.Send(message);
        }
        while (!message.IsStop);
    }

    private static void WaitForOneMessage<T>(BenchOptions options)
        where T : IBenchMessage<T>
    {
        using IMessageChannel<T> channel = Channels.Open<T>(options, ChannelEnd.Listener, AnnounceReady);
        channel.Receive();
    }

    private static void AnnounceReady() => Console.WriteLine(ChildProcess.ReadyLine);
}

/// <summary>
/// What a consumer got: one stop message per producer ends it; it reports "count finish", the messages it got after the
/// measurement started and when it got the last stop.
/// </summary>
internal sealed class Tally(long measureFrom)
{
    private long _received;
    private long? _receivedBeforeMeasuring;

    public int Stops { get; private set; }

    public void Add(bool isStop)
    {
        if (isStop)
        {
            Stops++;
        }
        else if (++_received % ChildRoles.ClockCheckInterval == 0 && _receivedBeforeMeasuring is null && Stopwatch.GetTimestamp() >= measureFrom)
        {
            _receivedBeforeMeasuring = _received;
        }
    }

    public void Report()
    {
        long finished = Stopwatch.GetTimestamp();
        long measured = _received - (_receivedBeforeMeasuring ?? _received);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{measured} {finished}"));
    }
}
