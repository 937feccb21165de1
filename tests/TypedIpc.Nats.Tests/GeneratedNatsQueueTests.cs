using MemoryPack;
using NATS.Net;
using TypedIpc.Nats.Tests.Support;

namespace TypedIpc.Nats.Tests;

/// <summary>A message whose generated queue, in a project that references TypedIpc.Nats, opens over NATS.</summary>
[IpcQueue(maxsize: 3)]
[MemoryPackable]
public sealed partial record Chore(string Title, int Effort);

/// <summary>A message whose attribute sets the per-message limit as well.</summary>
[IpcQueue(maxsize: 2, MaxMessageBytes = 512)]
[MemoryPackable]
public sealed partial record Note(string Text);

/// <summary>The generated <c>ChoreQueue.OpenAsync(client)</c>: the attribute's name and maxsize, over a real nats-server.</summary>
[Collection(SharedNatsServer.Name)]
public sealed class GeneratedNatsQueueTests(NatsServer server)
{
    [Fact]
    public async Task OpenAsync_with_only_a_client_opens_the_attributes_queue_and_puts_and_gets()
    {
        await using NatsClient client = server.NewClient();
        try
        {
            await using (ChoreQueue queue = await ChoreQueue.OpenAsync(client))
            {
                Assert.Equal(ChoreQueue.DefaultName, queue.Name);
                Assert.Equal(3, queue.MaxSize);

                await queue.PutAsync(new Chore("dishes", 2));
                queue.Put(new Chore("laundry", 3));

                Assert.Equal(new Chore("dishes", 2), await queue.GetAsync(TimeSpan.FromSeconds(10)));
                Assert.Equal(new Chore("laundry", 3), queue.Get(timeout: TimeSpan.FromSeconds(10)));
                // Nothing is left: asked of the consumer, not of Count, which the server updates after the acks.
                Assert.Throws<QueueEmptyException>(() => queue.GetNowait());
            }

            // Another handle on the same default name sees the same queue on the server.
            await using NatsClient otherClient = server.NewClient();
            await using ChoreQueue producer = await ChoreQueue.OpenAsync(client);
            await using ChoreQueue consumer = await ChoreQueue.OpenAsync(otherClient);
            producer.Put(new Chore("windows", 5));
            Assert.Equal(new Chore("windows", 5), consumer.Get(timeout: TimeSpan.FromSeconds(10)));
        }
        finally
        {
            await NatsQueue<Chore>.DeleteAsync(client, ChoreQueue.DefaultName);
        }
    }

    [Fact]
    public async Task The_attributes_maxsize_holds_over_NATS_a_fourth_PutNowait_throws_QueueFull()
    {
        string name = $"nats-tests.generated-maxsize.{Guid.NewGuid():N}";
        await using NatsClient client = server.NewClient();
        try
        {
            await using ChoreQueue queue = await ChoreQueue.OpenAsync(client, name);
            for (int i = 0; i < 3; i++)
            {
                queue.PutNowait(new Chore($"chore {i}", i));
            }

            Assert.True(queue.IsFull);
            Assert.Throws<QueueFullException>(() => queue.PutNowait(new Chore("one too many", 9)));
            Assert.Equal(3, queue.Count);
        }
        finally
        {
            await NatsQueue<Chore>.DeleteAsync(client, name);
        }
    }

    [Fact]
    public async Task The_attributes_MaxMessageBytes_holds_over_NATS_and_replaces_the_given_options_own()
    {
        string name = $"nats-tests.generated-limit.{Guid.NewGuid():N}";
        await using NatsClient client = server.NewClient();
        try
        {
            await using NoteQueue queue = await NoteQueue.OpenAsync(client, name, new NatsQueueOptions { MaxMessageBytes = 64 * 1024 });
            queue.Put(new Note(new string('n', 400)));

            MessageTooLargeException error = Assert.Throws<MessageTooLargeException>(() => queue.Put(new Note(new string('n', 600))));

            Assert.Equal(512, error.MaxMessageBytes);
            Assert.Equal(2, queue.MaxSize);
            Assert.Equal(400, queue.Get(timeout: TimeSpan.FromSeconds(10)).Text.Length);
        }
        finally
        {
            await NatsQueue<Note>.DeleteAsync(client, name);
        }
    }
}
