using System.Diagnostics;
using TypedIpc.Tests.Support;

namespace TypedIpc.Tests;

/// <summary>The behaviours of Python's multiprocessing.Queue that the tutorial shows, one test each.</summary>
public sealed class SharedQueueTests : IDisposable
{
    private readonly TestQueueName _name = new("semantics");

    public void Dispose() => _name.Dispose();

    [Fact]
    public void Queue_of_maxsize_3_holds_three_items()
    {
        using var queue = SharedQueue<string>.Open(_name, maxsize: 3);

        queue.Put("first");
        queue.Put("second");
        queue.Put("third");

        Assert.Equal(3, queue.Count);
        Assert.True(queue.IsFull);
        Assert.False(queue.IsEmpty);
        Assert.Equal(3, queue.MaxSize);
        Assert.Equal(3, queue.Capacity);
    }

    [Fact]
    public void Fourth_PutNowait_on_a_queue_of_3_throws_Full_and_keeps_the_three()
    {
        using var queue = SharedQueue<int>.Open(_name, maxsize: 3);
        queue.Put(1);
        queue.Put(2);
        queue.Put(3);

        Assert.Throws<QueueFullException>(() => queue.PutNowait(4));
        Assert.Throws<QueueFullException>(() => queue.Put(4, block: false));
        Assert.False(queue.TryPut(4));

        Assert.Equal([1, 2, 3], [queue.Get(), queue.Get(), queue.Get()]);
    }

    [Fact]
    public void Put_with_timeout_on_a_full_queue_waits_the_timeout_then_throws_Full()
    {
        using var queue = SharedQueue<int>.Open(_name, maxsize: 1);
        queue.Put(1);

        var clock = Stopwatch.StartNew();
        Assert.Throws<QueueFullException>(() => queue.Put(2, block: true, timeout: TimeSpan.FromMilliseconds(300)));
        clock.Stop();

        AssertWaitedTheTimeout(TimeSpan.FromMilliseconds(300), clock.Elapsed);
        Assert.Equal(1, queue.Get());
    }

    [Fact]
    public void Get_with_timeout_on_an_empty_queue_waits_the_timeout_then_throws_Empty()
    {
        using var queue = SharedQueue<int>.Open(_name, maxsize: 3);

        var clock = Stopwatch.StartNew();
        Assert.Throws<QueueEmptyException>(() => queue.Get(timeout: TimeSpan.FromMilliseconds(300)));
        clock.Stop();

        AssertWaitedTheTimeout(TimeSpan.FromMilliseconds(300), clock.Elapsed);
    }

    [Fact]
    public void GetNowait_on_an_empty_queue_throws_Empty_at_once()
    {
        using var queue = SharedQueue<int>.Open(_name, maxsize: 3);

        Assert.Throws<QueueEmptyException>(() => queue.GetNowait());
        Assert.Throws<QueueEmptyException>(() => queue.Get(block: false));
        Assert.False(queue.TryGet(out _));
        Assert.True(queue.IsEmpty);
    }

    [Fact]
    public void Block_false_ignores_the_timeout()
    {
        using var queue = SharedQueue<int>.Open(_name, maxsize: 1);
        queue.Put(1);

        var clock = Stopwatch.StartNew();
        Assert.Throws<QueueFullException>(() => queue.Put(2, block: false, timeout: TimeSpan.FromSeconds(10)));
        queue.Get();
        Assert.Throws<QueueEmptyException>(() => queue.Get(block: false, timeout: TimeSpan.FromSeconds(10)));

        // Two calls that honoured the 10 s timeouts would take 20 s; no scheduling delay makes two non-blocking
        // calls take 10 s, so this bound tells "ignored the timeout" from "waited" without depending on speed.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"a non-blocking call waited {clock.Elapsed}");
    }

    [Fact]
    public void Mixed_messages_come_out_in_the_order_they_went_in()
    {
        using var queue = SharedQueue<TutorialMessage>.Open(_name, maxsize: 3);

        queue.Put(new TextMessage("first"));
        queue.Put(new DictionaryMessage(new() { ["k"] = "second" }));
        queue.Put(new ListMessage(["third"]));

        Assert.Equal("first", Assert.IsType<TextMessage>(queue.Get()).Text);
        Assert.Equal("second", Assert.IsType<DictionaryMessage>(queue.Get()).Entries["k"]);
        Assert.Equal(["third"], Assert.IsType<ListMessage>(queue.Get()).Items);
    }

    [Fact]
    public void Items_keep_FIFO_order_across_many_laps_of_the_ring()
    {
        using var queue = SharedQueue<long>.Open(_name, maxsize: 7);

        long next = 0;
        for (long i = 0; i < 1000; i++)
        {
            queue.PutNowait(i);
            if (queue.IsFull)
            {
                for (int drained = 0; drained < 4; drained++)
                {
                    Assert.Equal(next++, queue.GetNowait());
                }
            }
        }

        while (queue.TryGet(out long item))
        {
            Assert.Equal(next++, item);
        }

        Assert.Equal(1000, next);
    }

    [Fact]
    public void A_blocked_Get_returns_the_item_a_later_Put_supplies()
    {
        using var queue = SharedQueue<string>.Open(_name, maxsize: 3);

        var get = BlockedCall<string>.Start("Get on an empty queue", () => queue.Get()).WaitUntilAsleepIn(_name.Path);
        queue.Put("woken");

        Assert.Equal("woken", get.Result());
    }

    [Fact]
    public void A_blocked_Put_returns_once_a_Get_makes_room()
    {
        using var queue = SharedQueue<int>.Open(_name, maxsize: 1);
        queue.Put(1);

        var put = BlockedCall<bool>.Start("Put on a full queue", () =>
        {
            queue.Put(2);
            return true;
        }).WaitUntilAsleepIn(_name.Path);

        Assert.Equal(1, queue.Get());
        Assert.True(put.Result());
        Assert.Equal(2, queue.Get());
    }

    [Fact]
    public void Unbounded_queue_is_bounded_by_its_byte_capacity_and_then_acts_full()
    {
        var options = new QueueOptions { MaxMessageBytes = 48, CapacityBytes = 64 * 10 };
        using var queue = SharedQueue<int>.Open(_name, maxsize: 0, options);

        Assert.Equal(0, queue.MaxSize);
        Assert.Equal(10, queue.Capacity);
        for (int i = 0; i < 10; i++)
        {
            queue.PutNowait(i);
        }

        Assert.True(queue.IsFull);
        Assert.Throws<QueueFullException>(() => queue.PutNowait(10));
        Assert.Throws<QueueFullException>(() => queue.Put(10, timeout: TimeSpan.FromMilliseconds(50)));
        Assert.Equal(Enumerable.Range(0, 10), Enumerable.Range(0, 10).Select(_ => queue.Get()));
    }

    [Fact]
    public void Two_instances_in_one_process_share_the_queue()
    {
        using var producer = SharedQueue<string>.Open(_name, maxsize: 2);
        using var consumer = SharedQueue<string>.Open(_name, maxsize: 2);

        producer.Put("shared");

        Assert.Equal(1, consumer.Count);
        Assert.Equal("shared", consumer.Get());
    }

    [Fact]
    public void Null_and_empty_messages_travel_like_any_other()
    {
        using var queue = SharedQueue<string?>.Open(_name, maxsize: 2);

        queue.Put(null);
        queue.Put("");

        Assert.Null(queue.Get());
        Assert.Equal("", queue.Get());
    }

    /// <summary>
    /// The call must have waited its whole timeout (the lower bound is exact: the deadline is measured on the same
    /// clock). The upper bound only tells "gave up" from "ignored the timeout": 30 s, 100 times the timeout, is more
    /// than any scheduling delay of a loaded 2-core machine, yet far from never.
    /// </summary>
    private static void AssertWaitedTheTimeout(TimeSpan timeout, TimeSpan elapsed)
    {
        Assert.True(elapsed >= timeout, $"gave up after {elapsed.TotalMilliseconds:0} ms, before its timeout of {timeout.TotalMilliseconds:0} ms");
        Assert.True(elapsed < TimeSpan.FromSeconds(30), $"waited {elapsed.TotalSeconds:0} s for a timeout of {timeout.TotalMilliseconds:0} ms");
    }
}
