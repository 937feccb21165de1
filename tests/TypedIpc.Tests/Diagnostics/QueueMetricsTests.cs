using System.Diagnostics;
using TypedIpc.Tests.Support;
using TypedIpc.TestPeer;

namespace TypedIpc.Tests.Diagnostics;

/// <summary>The TypedIpc meter, as a MeterListener (dotnet-counters, OpenTelemetry) sees it.</summary>
public sealed class QueueMetricsTests : IDisposable
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);
    private readonly TestQueueName _name = new("metrics");
    private readonly QueueMeasurements _measurements;

    public QueueMetricsTests()
    {
        _measurements = new QueueMeasurements(_name);
    }

    public void Dispose()
    {
        _measurements.Dispose();
        _name.Dispose();
    }

    [Fact]
    public async Task Puts_and_gets_count_the_items_of_every_kind_of_call()
    {
        using var queue = SharedQueue<int>.Open(_name, maxsize: 16);
        queue.Put(1);
        queue.PutMany([2, 3, 4]);
        Assert.True(queue.TryPut(5));
        await queue.PutAsync(6);

        Assert.Equal(1, queue.Get());
        Assert.Equal(3, queue.GetMany(new int[3]));
        Assert.True(queue.TryGet(out _));
        Assert.Equal(6, await queue.GetAsync());
        Assert.False(queue.TryGet(out _));

        Assert.Equal(6, _measurements.Sum("typedipc.queue.puts"));
        Assert.Equal(6, _measurements.Sum("typedipc.queue.gets"));
        Assert.Empty(_measurements.Values("typedipc.queue.wait.duration"));
        Assert.Empty(_measurements.Values("typedipc.queue.timeouts"));
    }

    [Fact]
    public void Depth_reports_each_open_queue_once_until_its_last_instance_is_disposed()
    {
        var first = SharedQueue<int>.Open(_name, maxsize: 16);
        using (var second = SharedQueue<int>.Open(_name, maxsize: 16))
        {
            first.PutMany([1, 2, 3]);
            Assert.Equal([3], _measurements.ObserveDepth());

            first.Dispose();
            second.Get();
            Assert.Equal([2], _measurements.ObserveDepth());
        }

        Assert.Empty(_measurements.ObserveDepth());
    }

    [Fact]
    public void A_call_that_times_out_counts_as_a_timeout_and_its_wait_is_recorded()
    {
        using var queue = SharedQueue<int>.Open(_name, maxsize: 1);
        Assert.Throws<QueueEmptyException>(() => queue.Get(timeout: TimeSpan.FromMilliseconds(20)));
        queue.Put(1);
        Assert.Throws<QueueFullException>(() => queue.Put(2, timeout: TimeSpan.FromMilliseconds(20)));

        Assert.Equal(1, _measurements.Sum("typedipc.queue.timeouts", "get"));
        Assert.Equal(1, _measurements.Sum("typedipc.queue.timeouts", "put"));
        Assert.Single(_measurements.Values("typedipc.queue.wait.duration", "get"));
        Assert.Single(_measurements.Values("typedipc.queue.wait.duration", "put"));
        Assert.All(_measurements.Values("typedipc.queue.wait.duration"), seconds => Assert.True(seconds >= 0.019, $"waited {seconds} s"));
    }

    [Fact]
    public async Task An_awaited_call_that_times_out_counts_as_a_timeout()
    {
        using var queue = SharedQueue<int>.Open(_name, maxsize: 1);
        await Assert.ThrowsAsync<QueueEmptyException>(async () => await queue.GetAsync(TimeSpan.FromMilliseconds(20)));

        Assert.Equal(1, _measurements.Sum("typedipc.queue.timeouts", "get"));
        Assert.Single(_measurements.Values("typedipc.queue.wait.duration", "get"));
    }

    [Fact]
    public void Calls_that_may_not_wait_are_no_timeouts_and_record_no_wait()
    {
        using var queue = SharedQueue<int>.Open(_name, maxsize: 1);
        Assert.Throws<QueueEmptyException>(() => queue.Get(block: false));
        Assert.False(queue.TryGet(out _));
        queue.Put(1);
        Assert.False(queue.TryPut(2));

        Assert.Empty(_measurements.Values("typedipc.queue.timeouts"));
        Assert.Empty(_measurements.Values("typedipc.queue.wait.duration"));
    }

    [Fact]
    public async Task A_get_that_waits_for_another_process_records_its_wait_once_it_gets_the_item()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 4);
        using var region = new RegionView(_name);
        Task<Numbered> waiting = queue.GetAsync(Long).AsTask();
        Assert.False(waiting.IsCompleted);
        Numbered blocked = default;
        var blockedGet = new Thread(() => blocked = queue.Get(timeout: Long));
        blockedGet.Start();
        // Both asleep (the awaited get's watcher thread and the blocked get) before anything is put.
        Assert.True(SpinWait.SpinUntil(() => region.GetWaiters == 2, Long), $"{region.GetWaiters} gets asleep");

        using (var producer = PeerProcess.Start("produce", _name, "4", "7", "2"))
        {
            producer.WaitForSuccess();
        }

        Assert.Equal(7, (await waiting).Producer);
        blockedGet.Join();
        Assert.Equal(7, blocked.Producer);
        Assert.Equal(2, _measurements.Values("typedipc.queue.wait.duration", "get").Count);
        Assert.Equal(2, _measurements.Sum("typedipc.queue.gets"));
        Assert.Empty(_measurements.Values("typedipc.queue.timeouts"));
    }

    [Fact]
    public void An_oversize_message_counts_as_rejected_and_nothing_as_put()
    {
        using var queue = SharedQueue<byte[]>.Open(_name, maxsize: 4, new QueueOptions { MaxMessageBytes = 100 });
        Assert.Throws<MessageTooLargeException>(() => queue.Put(new byte[200]));
        var batch = new[] { new byte[10], new byte[500] };
        Assert.Throws<MessageTooLargeException>(() => queue.PutMany(batch));

        Assert.Equal(2, _measurements.Sum("typedipc.queue.rejected"));
        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public void A_claim_recovered_from_a_killed_producer_counts_as_one_recovery()
    {
        using var queue = SharedQueue<Sized>.Open(_name, maxsize: 4);
        using var region = new RegionView(_name);
        using (var child = PeerProcess.Start("sized-hold", _name, "4"))
        {
            Assert.Equal("ready", child.WaitForFirstLine());
            region.LockTailAsIfHeldBy(child.Id);
            child.Kill();
        }

        Assert.Empty(_measurements.Values("typedipc.queue.recoveries"));
        queue.Put(Sized.OfSize(1, 0, 100), timeout: Long);

        Assert.Equal(1, _measurements.Sum("typedipc.queue.recoveries"));
        Assert.Equal(0, queue.GetNowait().Sequence);
    }
}
