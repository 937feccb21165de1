using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Net;
using TypedIpc.Nats.Tests.Support;

namespace TypedIpc.Nats.Tests;

/// <summary>The stream and consumer a queue is made of, as docs/nats.md maps them, read back from the server.</summary>
[Collection(SharedNatsServer.Name)]
public sealed class NatsStreamLayoutTests(NatsServer server) : NatsQueueTest(server, "layout")
{
    [Fact]
    public async Task A_bounded_queue_is_a_file_work_queue_stream_of_maxsize_messages_that_refuses_new_ones_with_one_explicit_ack_consumer()
    {
        await using NatsQueue<int> queue = await NatsQueue<int>.OpenAsync(Client, QueueName, maxsize: 3);

        StreamConfig stream = (await Client.CreateJetStreamContext().GetStreamAsync(StreamName)).Info.Config;
        Assert.Equal(StreamName, queue.StreamName);
        Assert.Equal(["typedipc." + QueueName], stream.Subjects!);
        Assert.Equal(StreamConfigRetention.Workqueue, stream.Retention);
        Assert.Equal(StreamConfigDiscard.New, stream.Discard);
        Assert.Equal(3, stream.MaxMsgs);
        Assert.Equal(-1, stream.MaxBytes);
        // The server counts the Nats-Msg-Id header of a put with its payload: 128 bytes of room for it.
        Assert.Equal(NatsQueueOptions.DefaultMaxMessageBytes + 128, stream.MaxMsgSize);
        Assert.Equal(StreamConfigStorage.File, stream.Storage);
        Assert.Equal(1, stream.NumReplicas);
        Assert.StartsWith("typedipc-queue/1; ", stream.Description);
        Assert.Contains("; maxsize=3; ", stream.Description);

        ConsumerConfig consumer = (await Client.CreateJetStreamContext().GetConsumerAsync(StreamName, SharedConsumer)).Info.Config;
        Assert.Equal(ConsumerConfigAckPolicy.Explicit, consumer.AckPolicy);
        Assert.Equal(TimeSpan.FromSeconds(30), NatsQueueOptions.Default.AckWait);
        Assert.Equal(NatsQueueOptions.Default.AckWait, consumer.AckWait);
    }

    [Fact]
    public async Task An_unbounded_queue_is_bounded_by_CapacityBytes_and_takes_its_storage_limit_and_AckWait_from_the_options()
    {
        var options = new NatsQueueOptions
        {
            MaxMessageBytes = 1024,
            CapacityBytes = 64 * 1024,
            Storage = StreamConfigStorage.Memory,
            AckWait = TimeSpan.FromSeconds(7),
        };
        await using NatsQueue<int> queue = await NatsQueue<int>.OpenAsync(Client, QueueName, maxsize: 0, options);

        StreamConfig stream = (await Client.CreateJetStreamContext().GetStreamAsync(StreamName)).Info.Config;
        Assert.Equal(-1, stream.MaxMsgs);
        Assert.Equal(64 * 1024, stream.MaxBytes);
        Assert.Equal(1024 + 128, stream.MaxMsgSize);
        Assert.Equal(StreamConfigStorage.Memory, stream.Storage);
        ConsumerConfig consumer = (await Client.CreateJetStreamContext().GetConsumerAsync(StreamName, SharedConsumer)).Info.Config;
        Assert.Equal(TimeSpan.FromSeconds(7), consumer.AckWait);
    }

    [Fact]
    public async Task A_stream_whose_limits_someone_changed_by_hand_throws_Mismatch_when_the_queue_is_opened_again()
    {
        await using (await NatsQueue<int>.OpenAsync(Client, QueueName, maxsize: 3))
        {
        }

        INatsJSContext jetStream = Client.CreateJetStreamContext();
        StreamConfig edited = (await jetStream.GetStreamAsync(StreamName)).Info.Config;
        edited.MaxMsgs = 10;
        await jetStream.UpdateStreamAsync(edited);

        QueueMismatchException error = await Assert.ThrowsAsync<QueueMismatchException>(async () => await NatsQueue<int>.OpenAsync(Client, QueueName, maxsize: 3));

        Assert.Contains("MaxMsgs 10", error.Message);
    }
}
