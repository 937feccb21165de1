using System.Diagnostics;
using MemoryPack;

namespace TypedIpc.Conformance;

/// <summary>
/// The semantics of Python's <c>multiprocessing.Queue</c> that every <see cref="IIpcQueue{T}"/> backend is held to,
/// written once. A backend's test class derives from it and says how to open and remove a queue; every queue a
/// test opens is disposed and removed afterwards, even when the test fails.
/// </summary>
public abstract class QueueConformanceTests : IAsyncLifetime
{
    private readonly List<IDisposable> _opened = [];
    private readonly List<string> _names = [];

    /// <summary>
    /// How much longer than its timeout a timed-out call may take on this backend. Generous: an awaited call's timeout
    /// continues on the thread pool, which the test run's parallel tests (on 2 cores) once kept busy past 600 ms; 5 s
    /// still tells a call that timed out from one that hangs, and the lower bound checks that it waited at all.
    /// </summary>
    protected virtual TimeSpan TimeoutSlack => TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether a message that reaches a Get cancelled in that instant keeps its place ahead of later messages. A backend
    /// that has to hand such a message back (documented) may deliver it after them; it is never lost or duplicated.
    /// </summary>
    protected virtual bool KeepsOrderAcrossACancelledGet => true;

    /// <summary>Opens (creating if needed) the queue <paramref name="name"/> as a new, independent handle, as another process would.</summary>
    protected abstract ValueTask<IIpcQueue<TMessage>> OpenQueueAsync<TMessage>(string name, int maxsize, int maxMessageBytes, long capacityBytes);

    /// <summary>Removes the queue <paramref name="name"/> from wherever the backend keeps it; no error when it does not exist.</summary>
    protected abstract ValueTask RemoveQueueAsync(string name);

    /// <summary>
    /// Completes once a Get, GetAsync or ReadAllAsync waits for an item on queue <paramref name="name"/>, as the backend
    /// shows it from outside the call, so that a test acts on a call that really waits without guessing a time.
    /// </summary>
    protected abstract Task WhenAGetWaitsAsync(string name, CancellationToken cancellationToken);

    /// <summary>Completes once a Put waits for room on queue <paramref name="name"/>, as the backend shows it.</summary>
    protected abstract Task WhenAPutWaitsAsync(string name, CancellationToken cancellationToken);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (IDisposable queue in _opened)
        {
            queue.Dispose();
        }

        foreach (string name in _names.Distinct())
        {
            await RemoveQueueAsync(name);
        }

        await DisposeBackendAsync();
    }

    /// <summary>Releases what the backend's test class holds beyond the queues (connections, servers).</summary>
    protected virtual ValueTask DisposeBackendAsync() => ValueTask.CompletedTask;

    /// <summary>A name no other test uses, removed when the test ends.</summary>
    protected string NewName()
    {
        string name = $"conformance.{GetType().Name}.{Guid.NewGuid():N}";
        _names.Add(name);
        return name;
    }

    /// <summary>Returns once <paramref name="get"/> waits on queue <paramref name="name"/>; fails at once when it ended instead.</summary>
    protected Task UntilGetWaitsAsync(Task get, string name) => UntilWaitingAsync(get, "get", token => WhenAGetWaitsAsync(name, token));

    /// <summary>Returns once <paramref name="put"/> waits on queue <paramref name="name"/>; fails at once when it ended instead.</summary>
    protected Task UntilPutWaitsAsync(Task put, string name) => UntilWaitingAsync(put, "put", token => WhenAPutWaitsAsync(name, token));

    private static async Task UntilWaitingAsync(Task call, string what, Func<CancellationToken, Task> whenWaiting)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Task waiting = whenWaiting(stop.Token);
        if (await Task.WhenAny(call, waiting) == call)
        {
            await stop.CancelAsync();
            throw new InvalidOperationException(
                $"the {what} ended instead of waiting: {(call.IsFaulted ? call.Exception!.InnerException : call.Status)}");
        }

        try
        {
            await waiting;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            throw new TimeoutException($"the {what} was not seen waiting within 30 s");
        }
    }

    protected async ValueTask<IIpcQueue<TMessage>> OpenAsync<TMessage>(
        string name, int maxsize, int maxMessageBytes = QueueOptions.DefaultMaxMessageBytes, long capacityBytes = QueueOptions.DefaultCapacityBytes)
    {
        IIpcQueue<TMessage> queue = await OpenQueueAsync<TMessage>(name, maxsize, maxMessageBytes, capacityBytes);
        _opened.Add(queue);
        return queue;
    }

    [Fact]
    public async Task Items_come_out_in_the_order_they_went_in()
    {
        IIpcQueue<int> queue = await OpenAsync<int>(NewName(), maxsize: 0);

        for (int i = 0; i < 50; i++)
        {
            queue.Put(i);
        }

        Assert.Equal(Enumerable.Range(0, 50), Enumerable.Range(0, 50).Select(_ => queue.Get()));
    }

    [Fact]
    public async Task Queue_of_maxsize_3_holds_three_and_PutNowait_of_a_fourth_throws_Full()
    {
        IIpcQueue<int> queue = await OpenAsync<int>(NewName(), maxsize: 3);
        queue.Put(1);
        queue.Put(2);
        queue.Put(3);

        Assert.Equal(3, queue.Count);
        Assert.Equal(3, queue.MaxSize);
        Assert.Equal(3, queue.Capacity);
        Assert.True(queue.IsFull);
        Assert.False(queue.IsEmpty);
        Assert.Throws<QueueFullException>(() => queue.PutNowait(4));
        Assert.Throws<QueueFullException>(() => queue.Put(4, block: false));
        Assert.False(queue.TryPut(4));
        Assert.Equal([1, 2, 3], [queue.Get(), queue.Get(), queue.Get()]);
    }

    [Fact]
    public async Task Put_with_timeout_on_a_full_queue_waits_the_timeout_then_throws_Full()
    {
        IIpcQueue<int> queue = await OpenAsync<int>(NewName(), maxsize: 1);
        queue.Put(1);

        var clock = Stopwatch.StartNew();
        Assert.Throws<QueueFullException>(() => queue.Put(2, timeout: TimeSpan.FromMilliseconds(300)));

        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(300) + TimeoutSlack);
        Assert.Equal(1, queue.GetNowait());
    }

    [Fact]
    public async Task Get_with_timeout_on_an_empty_queue_waits_the_timeout_then_throws_Empty()
    {
        IIpcQueue<int> queue = await OpenAsync<int>(NewName(), maxsize: 3);

        var clock = Stopwatch.StartNew();
        Assert.Throws<QueueEmptyException>(() => queue.Get(timeout: TimeSpan.FromMilliseconds(300)));

        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(300) + TimeoutSlack);
    }

    [Fact]
    public async Task GetNowait_on_an_empty_queue_throws_Empty_at_once()
    {
        IIpcQueue<int> queue = await OpenAsync<int>(NewName(), maxsize: 3);

        Assert.Throws<QueueEmptyException>(() => queue.GetNowait());
        Assert.Throws<QueueEmptyException>(() => queue.Get(block: false));
        Assert.False(queue.TryGet(out _));
        Assert.Equal(0, queue.Count);
        Assert.True(queue.IsEmpty);
        Assert.False(queue.IsFull);
    }

    [Fact]
    public async Task Block_false_ignores_the_timeout()
    {
        IIpcQueue<int> queue = await OpenAsync<int>(NewName(), maxsize: 1);
        queue.Put(1);

        var clock = Stopwatch.StartNew();
        Assert.Throws<QueueFullException>(() => queue.Put(2, block: false, timeout: TimeSpan.FromSeconds(10)));
        queue.Get();
        Assert.Throws<QueueEmptyException>(() => queue.Get(block: false, timeout: TimeSpan.FromSeconds(10)));

        // One call that honoured its 10 s timeout would take 10 s; no scheduling delay makes two non-blocking calls
        // take 5 s, so this tells "ignored the timeout" from "waited" without depending on speed.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"a non-blocking call waited {clock.Elapsed}");
    }

    [Fact]
    public async Task A_negative_timeout_is_refused_as_Python_refuses_it()
    {
        IIpcQueue<int> queue = await OpenAsync<int>(NewName(), maxsize: 1);

        Assert.Throws<ArgumentOutOfRangeException>(() => queue.Put(1, timeout: TimeSpan.FromSeconds(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => queue.Get(timeout: TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public async Task A_blocked_Get_returns_the_item_a_Put_from_another_handle_supplies()
    {
        string name = NewName();
        IIpcQueue<string> getter = await OpenAsync<string>(name, maxsize: 3);
        IIpcQueue<string> putter = await OpenAsync<string>(name, maxsize: 3);

        Task<string> blockedGet = Task.Run(() => getter.Get(timeout: TimeSpan.FromSeconds(30)));
        await UntilGetWaitsAsync(blockedGet, name);
        Assert.False(blockedGet.IsCompleted);
        putter.Put("woken");

        Assert.Equal("woken", await blockedGet.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task A_blocked_Put_returns_once_a_Get_from_another_handle_makes_room()
    {
        string name = NewName();
        IIpcQueue<int> putter = await OpenAsync<int>(name, maxsize: 1);
        IIpcQueue<int> getter = await OpenAsync<int>(name, maxsize: 1);
        putter.Put(1);

        Task blockedPut = Task.Run(() => putter.Put(2, timeout: TimeSpan.FromSeconds(30)));
        await UntilPutWaitsAsync(blockedPut, name);
        Assert.False(blockedPut.IsCompleted);
        Assert.Equal(1, getter.Get());

        await blockedPut.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, getter.Get(timeout: TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Each_item_goes_to_exactly_one_of_two_competing_getters()
    {
        string name = NewName();
        IIpcQueue<int> putter = await OpenAsync<int>(name, maxsize: 0);
        IIpcQueue<int> first = await OpenAsync<int>(name, maxsize: 0);
        IIpcQueue<int> second = await OpenAsync<int>(name, maxsize: 0);
        putter.PutMany(Enumerable.Range(0, 200).ToArray());

        var got = new List<int>[] { [], [] };
        await Task.WhenAll(
            Task.Run(() => Drain(first, got[0])),
            Task.Run(() => Drain(second, got[1])));

        Assert.Equal(Enumerable.Range(0, 200), got[0].Concat(got[1]).Order());
        Assert.All(got, taken => Assert.Equal(taken.Order(), taken));

        static void Drain(IIpcQueue<int> queue, List<int> got)
        {
            while (queue.TryGet(out int item))
            {
                got.Add(item);
            }
        }
    }

    [Fact]
    public async Task An_item_larger_than_the_message_limit_throws_MessageTooLarge_and_leaves_the_queue_unchanged()
    {
        IIpcQueue<Sized> queue = await OpenAsync<Sized>(NewName(), maxsize: 3, maxMessageBytes: 256);

        MessageTooLargeException error = Assert.Throws<MessageTooLargeException>(() => queue.Put(new Sized(1, new string('x', 1000))));

        Assert.Equal(256, error.MaxMessageBytes);
        Assert.True(error.MessageBytes > 1000);
        Assert.Equal(0, queue.Count);
        queue.Put(new Sized(2, "fits"));
        Assert.Equal(2, queue.GetNowait().Number);
    }

    [Fact]
    public async Task An_item_of_exactly_the_message_limit_goes_through_and_one_byte_more_throws_MessageTooLarge()
    {
        const int Limit = 256;
        IIpcQueue<Sized> queue = await OpenAsync<Sized>(NewName(), maxsize: 3, maxMessageBytes: Limit);
        int overhead = MemoryPackSerializer.Serialize(new Sized(1, "x")).Length - 1;
        var atTheLimit = new Sized(1, new string('x', Limit - overhead));
        var oneByteMore = new Sized(2, new string('x', Limit - overhead + 1));
        Assert.Equal(Limit, MemoryPackSerializer.Serialize(atTheLimit).Length);

        queue.Put(atTheLimit, timeout: TimeSpan.FromSeconds(5));
        Assert.Throws<MessageTooLargeException>(() => queue.Put(oneByteMore, timeout: TimeSpan.FromSeconds(5)));

        Assert.Equal(atTheLimit, queue.Get(timeout: TimeSpan.FromSeconds(5)));
        Assert.False(queue.TryGet(out _));
    }

    [Fact]
    public async Task An_unbounded_queue_refuses_puts_once_its_byte_capacity_is_used_and_drops_nothing()
    {
        IIpcQueue<Sized> queue = await OpenAsync<Sized>(NewName(), maxsize: 0, maxMessageBytes: 1024, capacityBytes: 64 * 1024);

        int put = 0;
        while (put < 10_000 && queue.TryPut(new Sized(put, new string('p', 900))))
        {
            put++;
        }

        Assert.InRange(put, 1, 9_999);
        Assert.Throws<QueueFullException>(() => queue.PutNowait(new Sized(-1, new string('p', 900))));
        for (int i = 0; i < put; i++)
        {
            Assert.Equal(i, queue.GetNowait().Number);
        }

        Assert.False(queue.TryGet(out _));
    }

    [Fact]
    public async Task Opening_with_another_message_type_throws_Mismatch_naming_both_types()
    {
        string name = NewName();
        await OpenAsync<int>(name, maxsize: 3);

        QueueMismatchException error = await Assert.ThrowsAsync<QueueMismatchException>(async () => await OpenAsync<string>(name, maxsize: 3));

        Assert.Contains("System.Int32", error.Message);
        Assert.Contains("System.String", error.Message);
    }

    [Fact]
    public async Task Opening_with_another_maxsize_throws_Mismatch_naming_maxsize()
    {
        string name = NewName();
        await OpenAsync<int>(name, maxsize: 3);

        QueueMismatchException error = await Assert.ThrowsAsync<QueueMismatchException>(async () => await OpenAsync<int>(name, maxsize: 4));

        Assert.Contains("maxsize", error.Message);
    }

    [Fact]
    public async Task Opening_with_another_message_limit_throws_Mismatch_naming_MaxMessageBytes()
    {
        string name = NewName();
        await OpenAsync<int>(name, maxsize: 3, maxMessageBytes: 1024);

        QueueMismatchException error = await Assert.ThrowsAsync<QueueMismatchException>(async () => await OpenAsync<int>(name, maxsize: 3, maxMessageBytes: 2048));

        Assert.Contains("MaxMessageBytes", error.Message);
    }

    [Fact]
    public async Task Opening_an_unbounded_queue_with_another_byte_capacity_throws_Mismatch_naming_CapacityBytes()
    {
        string name = NewName();
        await OpenAsync<int>(name, maxsize: 0, capacityBytes: 64 * 1024);

        QueueMismatchException error = await Assert.ThrowsAsync<QueueMismatchException>(async () => await OpenAsync<int>(name, maxsize: 0, capacityBytes: 128 * 1024));

        Assert.Contains("CapacityBytes", error.Message);
    }

    [Fact]
    public async Task PutMany_and_GetMany_keep_the_order_and_GetMany_takes_what_is_ready()
    {
        IIpcQueue<int> queue = await OpenAsync<int>(NewName(), maxsize: 10);
        queue.PutMany([1, 2, 3, 4, 5]);

        var batch = new int[3];
        Assert.Equal(3, queue.GetMany(batch));
        Assert.Equal([1, 2, 3], batch);
        var rest = new int[8];
        Assert.Equal(2, queue.GetMany(rest, timeout: TimeSpan.FromSeconds(5)));
        Assert.Equal([4, 5], rest[..2]);
        Assert.Throws<QueueEmptyException>(() => queue.GetMany(rest, block: false));
    }

    [Fact]
    public async Task GetMany_into_an_empty_span_is_refused_and_takes_nothing()
    {
        IIpcQueue<int> queue = await OpenAsync<int>(NewName(), maxsize: 3);
        queue.Put(1);

        Assert.Throws<ArgumentException>(() => queue.GetMany(Span<int>.Empty));

        Assert.Equal(1, queue.GetNowait());
    }

    [Fact]
    public async Task PutMany_on_a_queue_that_fills_says_how_many_went_in()
    {
        IIpcQueue<int> queue = await OpenAsync<int>(NewName(), maxsize: 3);
        queue.Put(0);

        QueueFullException error = Assert.Throws<QueueFullException>(() => queue.PutMany([1, 2, 3, 4], block: false));

        Assert.Equal(2, error.ItemsPut);
        Assert.Equal([0, 1, 2], [queue.Get(), queue.Get(), queue.Get()]);
    }

    [Fact]
    public async Task A_PutMany_cancelled_while_it_waits_keeps_its_prefix_and_says_how_many_in_the_exception_data()
    {
        IIpcQueue<int> queue = await OpenAsync<int>(NewName(), maxsize: 2);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(1));

        OperationCanceledException error = Assert.ThrowsAny<OperationCanceledException>(() => queue.PutMany([0, 1, 2, 3], cancellationToken: cancel.Token));

        Assert.Equal(2, error.Data["TypedIpc.ItemsPut"]);
        Assert.Equal([0, 1], [queue.GetNowait(), queue.GetNowait()]);
        Assert.False(queue.TryGet(out _));
    }

    [Fact]
    public async Task Calls_that_would_wait_with_an_already_cancelled_token_throw_and_change_nothing()
    {
        IIpcQueue<int> queue = await OpenAsync<int>(NewName(), maxsize: 1);
        queue.Put(7);
        var cancelled = new CancellationToken(canceled: true);

        Assert.ThrowsAny<OperationCanceledException>(() => queue.Put(8, cancellationToken: cancelled));
        Assert.Equal(1, queue.Count);
        Assert.Equal(7, queue.Get());
        Assert.ThrowsAny<OperationCanceledException>(() => queue.Get(cancellationToken: cancelled));

        queue.Put(9);
        Assert.Equal(9, queue.GetNowait());
    }

    [Fact]
    public async Task A_Get_cancelled_while_it_waits_ends_promptly_and_the_next_item_still_reaches_the_next_Get()
    {
        string name = NewName();
        IIpcQueue<int> queue = await OpenAsync<int>(name, maxsize: 3);
        using var cancel = new CancellationTokenSource();

        Task<int> blockedGet = Task.Run(() => queue.Get(cancellationToken: cancel.Token));
        await UntilGetWaitsAsync(blockedGet, name);
        var clock = Stopwatch.StartNew();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blockedGet.WaitAsync(TimeSpan.FromSeconds(30)));

        // The Get waits without limit, so a cancellation it ignored would end it only at the 30 s above; TimeoutSlack
        // leaves the thread pool that runs its continuation as long as a loaded run has ever needed.
        Assert.True(clock.Elapsed < TimeoutSlack, $"the cancelled Get took {clock.Elapsed} to end");
        queue.Put(1);
        queue.Put(2);
        int[] got = [queue.Get(timeout: TimeSpan.FromSeconds(10)), queue.Get(timeout: TimeSpan.FromSeconds(10))];
        Assert.Equal([1, 2], KeepsOrderAcrossACancelledGet ? got : got.Order());
        Assert.False(queue.TryGet(out _));
    }

    [Fact]
    public async Task A_Put_cancelled_while_it_waits_on_a_full_queue_puts_nothing()
    {
        IIpcQueue<int> queue = await OpenAsync<int>(NewName(), maxsize: 2);
        queue.PutMany([1, 2]);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        Assert.ThrowsAny<OperationCanceledException>(() => queue.Put(3, cancellationToken: cancel.Token));

        Assert.Equal(2, queue.Count);
        Assert.Equal([1, 2], [queue.GetNowait(), queue.GetNowait()]);
        Assert.False(queue.TryGet(out _));
    }
}
