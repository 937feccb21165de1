using NATS.Client.Core;
using NATS.Net;
using TypedIpc.Nats.Tests.Support;

namespace TypedIpc.Nats.Tests;

/// <summary>PutMany on NATS, where each item is a put of its own: what a batch stopped half-way says.</summary>
[Collection(SharedNatsServer.Name)]
public sealed class NatsBatchTests(NatsServer server) : NatsQueueTest(server, "batch")
{

    [Fact]
    public async Task A_PutMany_stopped_by_a_shutdown_says_how_many_of_its_items_went_in()
    {
        await using NatsQueue<int> queue = await NatsQueue<int>.OpenAsync(Client, QueueName, maxsize: 2);
        await using NatsClient otherClient = Server.NewClient();
        await using NatsQueue<int> other = await NatsQueue<int>.OpenAsync(otherClient, QueueName, maxsize: 2);
        Task putMany;
        // Every put passes the queue's subject on its way into the stream: two seen there fill the queue. The listener
        // leaves before the shutdown, or the put waiting for room would take it for the stream and wait for its answer.
        await using (INatsSub<byte[]> puts = await otherClient.Connection.SubscribeCoreAsync<byte[]>("typedipc." + QueueName))
        {
            putMany = Task.Run(() => queue.PutMany([1, 2, 3]));
            for (int seen = 0; seen < 2; seen++)
            {
                await puts.Msgs.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            }
        }

        other.Shutdown();

        QueueShutDownException error = await Assert.ThrowsAsync<QueueShutDownException>(() => putMany.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(2, error.Data["TypedIpc.ItemsPut"]);
        Assert.Equal([1, 2], [other.Get(), other.Get()]);
    }
}
