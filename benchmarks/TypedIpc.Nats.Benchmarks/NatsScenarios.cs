using System.Diagnostics;
using MemoryPack;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Net;

namespace TypedIpc.Nats.Benchmarks;

/// <summary>The small class message of the shared-memory benchmarks: a 40-character path and a priority.</summary>
[MemoryPackable]
public sealed partial record Job(string Path, int Priority)
{
    public const string SamplePath = "/var/spool/jobs/2026/11/28/job-00001.bin";
}

/// <summary>
/// One way of moving MemoryPack-serialized <see cref="Job"/>s through a JetStream work-queue stream: NatsQueue, or
/// NATS.Net's own JetStream calls on the same bytes (publish and wait for the acknowledgement; fetch one, ack it).
/// Producer and consumer use connections of their own, as two processes would.
/// </summary>
internal interface IJobChannel : IAsyncDisposable
{
    ValueTask PutAsync(Job job);

    ValueTask<Job> GetAsync();
}

internal sealed class NatsQueueChannel(NatsQueue<Job> queue) : IJobChannel
{
    public static async Task<IJobChannel> OpenAsync(NatsClient client, string name, int maxsize) =>
        new NatsQueueChannel(await NatsQueue<Job>.OpenAsync(client, name, maxsize, new NatsQueueOptions { Storage = StreamConfigStorage.Memory }));

    public ValueTask PutAsync(Job job) => queue.PutAsync(job);

    public ValueTask<Job> GetAsync() => queue.GetAsync();

    public ValueTask DisposeAsync() => queue.DisposeAsync();
}

internal sealed class RawJetStreamChannel(INatsJSContext jetStream, INatsJSConsumer consumer, string subject) : IJobChannel
{
    private static readonly NatsJSFetchOpts FetchOne = new() { MaxMsgs = 1, Expires = TimeSpan.FromSeconds(5) };

    /// <summary>Creates the stream and consumer NatsQueue would (raw-…), without TypedIpc.</summary>
    public static async Task<IJobChannel> OpenAsync(NatsClient client, string name, int maxsize)
    {
        INatsJSContext jetStream = client.CreateJetStreamContext();
        string stream = "raw-" + name.Replace('.', '_');
        string subject = "raw." + name;
        await jetStream.CreateOrUpdateStreamAsync(new StreamConfig(stream, [subject])
        {
            Retention = StreamConfigRetention.Workqueue,
            Discard = StreamConfigDiscard.New,
            MaxMsgs = maxsize > 0 ? maxsize : -1,
            Storage = StreamConfigStorage.Memory,
        });
        INatsJSConsumer consumer = await jetStream.CreateOrUpdateConsumerAsync(stream, new ConsumerConfig("getters") { AckPolicy = ConsumerConfigAckPolicy.Explicit });
        return new RawJetStreamChannel(jetStream, consumer, subject);
    }

    public async ValueTask PutAsync(Job job)
    {
        PubAckResponse ack = await jetStream.PublishAsync(subject, MemoryPackSerializer.Serialize(job));
        ack.EnsureSuccess();
    }

    public async ValueTask<Job> GetAsync()
    {
        while (true)
        {
            await foreach (NatsJSMsg<byte[]> message in consumer.FetchAsync(FetchOne, NatsRawSerializer<byte[]>.Default))
            {
                Job job = MemoryPackSerializer.Deserialize<Job>(message.Data)!;
                await message.AckAsync();
                return job;
            }
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

internal static class NatsScenarios
{
    public delegate Task<IJobChannel> ChannelOpener(NatsClient client, string name, int maxsize);

    /// <summary>
    /// Messages per second from one producer to one consumer through an unbounded queue (maxsize 0): the raw client
    /// has no answer to a full stream but an exception, so neither side may meet one.
    /// </summary>
    public static async Task<double> SpscAsync(string url, ChannelOpener open, int messages)
    {
        string name = $"bench.spsc.{Guid.NewGuid():N}";
        await using var producerClient = new NatsClient(url);
        await using var consumerClient = new NatsClient(url);
        await using IJobChannel producer = await open(producerClient, name, 0);
        await using IJobChannel consumer = await open(consumerClient, name, 0);
        try
        {
            var clock = Stopwatch.StartNew();
            Task producing = Task.Run(async () =>
            {
                for (int i = 0; i < messages; i++)
                {
                    await producer.PutAsync(new Job(Job.SamplePath, i));
                }
            });
            for (int i = 0; i < messages; i++)
            {
                await consumer.GetAsync();
            }

            await producing;
            return messages / clock.Elapsed.TotalSeconds;
        }
        finally
        {
            await DeleteAsync(producerClient, name);
        }
    }

    /// <summary>The median round trip, in microseconds, of a message to an echoing consumer and back.</summary>
    public static async Task<double> PingPongMedianMicrosecondsAsync(string url, ChannelOpener open, int roundTrips)
    {
        string pingName = $"bench.ping.{Guid.NewGuid():N}";
        string pongName = $"bench.pong.{Guid.NewGuid():N}";
        await using var clientA = new NatsClient(url);
        await using var clientB = new NatsClient(url);
        await using IJobChannel pingOut = await open(clientA, pingName, 0);
        await using IJobChannel pongIn = await open(clientA, pongName, 0);
        await using IJobChannel pingIn = await open(clientB, pingName, 0);
        await using IJobChannel pongOut = await open(clientB, pongName, 0);
        try
        {
            Task echo = Task.Run(async () =>
            {
                for (int i = 0; i < roundTrips; i++)
                {
                    await pongOut.PutAsync(await pingIn.GetAsync());
                }
            });
            var roundTripTicks = new long[roundTrips];
            for (int i = 0; i < roundTrips; i++)
            {
                long start = Stopwatch.GetTimestamp();
                await pingOut.PutAsync(new Job(Job.SamplePath, i));
                await pongIn.GetAsync();
                roundTripTicks[i] = Stopwatch.GetTimestamp() - start;
            }

            await echo;
            Array.Sort(roundTripTicks);
            return roundTripTicks[roundTrips / 2] * 1e6 / Stopwatch.Frequency;
        }
        finally
        {
            await DeleteAsync(clientA, pingName);
            await DeleteAsync(clientA, pongName);
        }
    }

    private static async Task DeleteAsync(NatsClient client, string name)
    {
        await NatsQueue<Job>.DeleteAsync(client, name);
        try
        {
            await client.CreateJetStreamContext().DeleteStreamAsync("raw-" + name.Replace('.', '_'));
        }
        catch (NatsJSApiException)
        {
            // The other channel's stream: this run used NatsQueue.
        }
    }
}
