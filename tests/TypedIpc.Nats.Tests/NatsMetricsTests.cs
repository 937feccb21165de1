using NATS.Net;
using TypedIpc.Nats.Tests.Support;
using TypedIpc.Tests.Support;

namespace TypedIpc.Nats.Tests;

/// <summary>The NATS backend reports to the TypedIpc meter under the shared-memory queue's instrument names.</summary>
[Collection(SharedNatsServer.Name)]
public sealed class NatsMetricsTests(NatsServer server) : NatsQueueTest(server, "metrics")
{
    private QueueMeasurements? _measurements;

    public override Task InitializeAsync()
    {
        _measurements = new QueueMeasurements(QueueName);
        return Task.CompletedTask;
    }

    public override async Task DisposeAsync()
    {
        _measurements!.Dispose();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task Puts_gets_depth_timeouts_and_rejected_messages_are_measured()
    {
        await using NatsQueue<byte[]> queue = await NatsQueue<byte[]>.OpenAsync(Client, QueueName, maxsize: 2, new NatsQueueOptions { MaxMessageBytes = 100 });
        queue.Put([1]);
        await queue.PutAsync([2]);
        Assert.Equal([2.0], _measurements!.ObserveDepth());
        Assert.Throws<QueueFullException>(() => queue.Put([3], timeout: TimeSpan.FromMilliseconds(50)));
        Assert.False(queue.TryPut([3]));
        Assert.Throws<MessageTooLargeException>(() => queue.Put(new byte[500]));

        Assert.Equal([1], queue.Get(timeout: TimeSpan.FromSeconds(5)));
        Assert.Equal([2], await queue.GetAsync(TimeSpan.FromSeconds(5)));
        Assert.Throws<QueueEmptyException>(() => queue.Get(timeout: TimeSpan.FromMilliseconds(50)));

        Assert.Equal(2, _measurements.Sum("typedipc.queue.puts"));
        Assert.Equal(2, _measurements.Sum("typedipc.queue.gets"));
        Assert.Equal(1, _measurements.Sum("typedipc.queue.timeouts", "put"));
        Assert.Equal(1, _measurements.Sum("typedipc.queue.timeouts", "get"));
        Assert.Equal(1, _measurements.Sum("typedipc.queue.rejected"));
    }
}
