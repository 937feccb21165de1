using MemoryPack;
using NATS.Client.JetStream.Models;
using NATS.Net;
using TypedIpc.Nats.TestPeer;
using TypedIpc.Nats.Tests.Support;

namespace TypedIpc.Nats.Tests;

/// <summary>What a NatsQueue does with input it must refuse: foreign streams, broken messages, impossible settings.</summary>
[Collection(SharedNatsServer.Name)]
public sealed class NatsBadInputTests(NatsServer server) : NatsQueueTest(server, "bad-input")
{
    /// <summary>nats-server's default max_payload: 1 MiB.</summary>
    private const int ServerMaxPayload = 1024 * 1024;


    [Fact]
    public async Task A_stream_of_the_queues_name_created_by_someone_else_throws_Mismatch_and_is_left_alone()
    {
        await Client.CreateJetStreamContext().CreateStreamAsync(new StreamConfig(StreamName, ["someone.else"]));

        QueueMismatchException error = await Assert.ThrowsAsync<QueueMismatchException>(async () => await NatsQueue<int>.OpenAsync(Client, QueueName, maxsize: 3));

        Assert.Contains("not created by TypedIpc", error.Message);
        Assert.Contains(StreamName, error.Message);
        var stream = await Client.CreateJetStreamContext().GetStreamAsync(StreamName);
        Assert.Equal(["someone.else"], stream.Info.Config.Subjects!);
    }

    [Fact]
    public async Task A_message_that_does_not_deserialize_throws_MessageCorrupted_is_removed_for_good_and_the_next_Get_works()
    {
        await using NatsQueue<Numbered> queue = await NatsQueue<Numbered>.OpenAsync(Client, QueueName, maxsize: 3,
            new NatsQueueOptions { AckWait = TimeSpan.FromSeconds(1) });
        await Client.CreateJetStreamContext().PublishAsync("typedipc." + QueueName, new byte[] { 1, 2, 3 });
        queue.Put(new Numbered(0, 1));

        Assert.Throws<MessageCorruptedException>(() => queue.Get(timeout: TimeSpan.FromSeconds(5)));
        Assert.Equal(new Numbered(0, 1), queue.Get(timeout: TimeSpan.FromSeconds(5)));

        // Terminated, not merely unacknowledged: it does not come back after AckWait.
        Assert.Throws<QueueEmptyException>(() => queue.Get(timeout: TimeSpan.FromSeconds(2)));
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task A_queue_deleted_while_a_handle_has_it_open_is_reported_by_that_handle_as_deleted_at_once()
    {
        await using NatsQueue<int> kept = await NatsQueue<int>.OpenAsync(Client, QueueName, maxsize: 3);
        kept.Put(1);
        Assert.True(await NatsQueue<int>.DeleteAsync(Client, QueueName));

        Assert.Contains("was deleted", Assert.Throws<QueueUnavailableException>(() => kept.Count).Message);
        Assert.Contains("was deleted", Assert.Throws<QueueUnavailableException>(() => kept.IsShutDown).Message);
        // Waiting cannot bring a deleted stream back: the put says so at once rather than after its 60 s.
        Assert.Contains("was deleted", Assert.Throws<QueueUnavailableException>(() => kept.Put(2, timeout: TimeSpan.FromSeconds(60))).Message);
    }

    [Fact]
    public async Task Another_storage_than_the_queue_was_created_with_throws_Mismatch()
    {
        await using NatsQueue<int> created = await NatsQueue<int>.OpenAsync(Client, QueueName, maxsize: 3);

        QueueMismatchException error = await Assert.ThrowsAsync<QueueMismatchException>(async () =>
            await NatsQueue<int>.OpenAsync(Client, QueueName, maxsize: 3, new NatsQueueOptions { Storage = StreamConfigStorage.Memory }));

        Assert.Contains("storage", error.Message);
    }

    [Theory]
    [InlineData(2 * ServerMaxPayload)]
    [InlineData(ServerMaxPayload)] // no room left for the header of a put
    public async Task A_message_limit_that_does_not_fit_the_servers_max_payload_is_refused_at_open(int maxMessageBytes)
    {
        var options = new NatsQueueOptions { MaxMessageBytes = maxMessageBytes };

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await NatsQueue<int>.OpenAsync(Client, QueueName, 3, options));

        Assert.Contains("max_payload", error.Message);
    }

    [Fact]
    public async Task The_largest_message_limit_the_server_allows_takes_a_message_of_exactly_that_size()
    {
        const int Limit = ServerMaxPayload - 128;
        await using NatsQueue<byte[]> queue = await NatsQueue<byte[]>.OpenAsync(Client, QueueName, maxsize: 1, new NatsQueueOptions { MaxMessageBytes = Limit });
        byte[] largest = new byte[Limit - sizeof(int)]; // MemoryPack writes an array as its length, then its bytes
        Random.Shared.NextBytes(largest);
        Assert.Equal(Limit, MemoryPackSerializer.Serialize(largest).Length);

        queue.Put(largest, timeout: TimeSpan.FromSeconds(10));

        Assert.Equal(largest, queue.Get(timeout: TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [InlineData("")]
    [InlineData(".hidden")]
    [InlineData("a..b")]
    [InlineData("trailing.")]
    [InlineData("has space")]
    [InlineData("wild*card")]
    [InlineData("wild>card")]
    public async Task Names_that_are_no_valid_queue_name_are_refused(string name)
    {
        await Assert.ThrowsAsync<ArgumentException>(async () => await NatsQueue<int>.OpenAsync(Client, name));
    }

    [Fact]
    public async Task A_negative_maxsize_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await NatsQueue<int>.OpenAsync(Client, QueueName, maxsize: -1));
    }

    [Fact]
    public async Task Opening_when_no_server_listens_throws_QueueUnavailable()
    {
        await using var nowhere = new NatsClient(new NATS.Client.Core.NatsOpts { Url = "nats://127.0.0.1:1", ConnectTimeout = TimeSpan.FromSeconds(1) });

        var error = await Assert.ThrowsAsync<QueueUnavailableException>(async () => await NatsQueue<int>.OpenAsync(nowhere, QueueName));

        Assert.Contains(QueueName, error.Message);
    }
}
