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

    /// <summary>Producers and consumers read the clock once per this many messages.</summary>
    private const int ClockCheckInterval = 64;

    public static void Run<T>(string role, BenchOptions options)
        where T : IBenchMessage<T>
    {
        switch (role)
        {
            case Producer:
                Produce<T>(options);
                break;
            case Consumer:
                Consume<T>(options);
                break;
            case Ponger:
                Pong<T>(options);
                break;
            case Blocked:
                WaitForOneMessage<T>(options);
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
        long measureFrom = ChildProcess.ReadGo();
        long received = 0;
        long? receivedBeforeMeasuring = null;
        var batch = new T[options.Batch];
        for (int stops = 0; stops < options.Producers;)
        {
            int count = batch.Length == 1 ? 1 : channel.ReceiveMany(batch);
            for (int i = 0; i < count; i++)
            {
                if ((batch.Length == 1 ? channel.Receive() : batch[i]).IsStop)
                {
                    stops++;
                }
                else if (++received % ClockCheckInterval == 0 && receivedBeforeMeasuring is null && Stopwatch.GetTimestamp() >= measureFrom)
                {
                    receivedBeforeMeasuring = received;
                }
            }
        }

        long finished = Stopwatch.GetTimestamp();
        long measured = received - (receivedBeforeMeasuring ?? received);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{measured} {finished}"));
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
