using System.Diagnostics;

namespace TypedIpc.Conformance;

/// <summary>
/// Python 3.13's <c>shutdown</c> and the async members (issue 10), on top of <see cref="QueueConformanceTests"/>.
/// "Another handle" is a second, independent opening of the queue, as another process would make it.
/// </summary>
public abstract class QueueLifecycleConformanceTests : QueueConformanceTests
{
    /// <summary>
    /// How long a waiting call in another handle may take to notice a shutdown (loose: the tests share a loaded 2-core
    /// machine).
    /// </summary>
    protected virtual TimeSpan ShutdownWakeLimit => TimeSpan.FromSeconds(5);

    [Fact]
    public async Task After_Shutdown_puts_throw_ShutDown_and_gets_drain_what_is_left_then_throw_ShutDown()
    {
        string name = NewName();
        IIpcQueue<int> queue = await OpenAsync<int>(name, maxsize: 5);
        IIpcQueue<int> other = await OpenAsync<int>(name, maxsize: 5);
        queue.PutMany([1, 2]);

        queue.Shutdown();

        Assert.True(queue.IsShutDown);
        Assert.True(other.IsShutDown);
        Assert.Throws<QueueShutDownException>(() => other.Put(3));
        Assert.Throws<QueueShutDownException>(() => queue.PutNowait(3));
        await Assert.ThrowsAsync<QueueShutDownException>(async () => await other.PutAsync(3));
        int first = other.Get();
        Assert.Equal(new[] { 1, 2 }, new[] { first, await other.GetAsync() });
        Assert.Throws<QueueShutDownException>(() => other.Get());
        Assert.Throws<QueueShutDownException>(() => other.GetNowait());
        await Assert.ThrowsAsync<QueueShutDownException>(async () => await queue.GetAsync());
    }

    [Fact]
    public async Task Immediate_Shutdown_discards_what_is_left()
    {
        string name = NewName();
        IIpcQueue<int> queue = await OpenAsync<int>(name, maxsize: 5);
        IIpcQueue<int> other = await OpenAsync<int>(name, maxsize: 5);
        queue.PutMany([1, 2, 3]);

        queue.Shutdown(immediate: true);

        Assert.Throws<QueueShutDownException>(() => other.Get(timeout: TimeSpan.FromSeconds(5)));
        Assert.Equal(0, other.Count);
    }

    [Fact]
    public async Task Shutdown_wakes_a_blocked_Get_a_pending_GetAsync_and_a_blocked_Put_of_another_handle()
    {
        string name = NewName();
        IIpcQueue<int> empty = await OpenAsync<int>(name, maxsize: 1);
        IIpcQueue<int> waiterSide = await OpenAsync<int>(name, maxsize: 1);
        string fullName = NewName();
        IIpcQueue<int> full = await OpenAsync<int>(fullName, maxsize: 1);
        full.Put(1);

        Task blockedGet = Task.Run(() => waiterSide.Get());
        Task pendingGetAsync = waiterSide.GetAsync().AsTask();
        Task blockedPut = Task.Run(() => full.Put(2));
        await UntilGetWaitsAsync(Task.WhenAny(blockedGet, pendingGetAsync).Unwrap(), name);
        await UntilPutWaitsAsync(blockedPut, fullName);
        Assert.False(blockedGet.IsCompleted || pendingGetAsync.IsCompleted || blockedPut.IsCompleted);

        IIpcQueue<int> fullOther = await OpenAsync<int>(fullName, maxsize: 1);
        var clock = Stopwatch.StartNew();
        empty.Shutdown();
        fullOther.Shutdown();

        await Assert.ThrowsAsync<QueueShutDownException>(() => blockedGet.WaitAsync(TimeSpan.FromSeconds(30)));
        await Assert.ThrowsAsync<QueueShutDownException>(() => pendingGetAsync.WaitAsync(TimeSpan.FromSeconds(30)));
        await Assert.ThrowsAsync<QueueShutDownException>(() => blockedPut.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(clock.Elapsed < ShutdownWakeLimit, $"the waiters woke {clock.Elapsed} after the shutdown");
    }

    [Fact]
    public async Task ReadAllAsync_yields_every_item_and_completes_after_shutdown_and_drain()
    {
        string name = NewName();
        IIpcQueue<int> producer = await OpenAsync<int>(name, maxsize: 10);
        IIpcQueue<int> consumer = await OpenAsync<int>(name, maxsize: 10);
        producer.PutMany([1, 2, 3]);

        var read = new List<int>();
        Task reading = Task.Run(async () =>
        {
            await foreach (int item in consumer.ReadAllAsync())
            {
                read.Add(item);
            }
        });
        await producer.PutAsync(4);
        await UntilGetWaitsAsync(reading, name);
        producer.Shutdown();

        await reading.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal([1, 2, 3, 4], read);
    }

    [Fact]
    public async Task A_queue_opened_after_its_shutdown_is_shut_down()
    {
        string name = NewName();
        (await OpenAsync<int>(name, maxsize: 2)).Shutdown();

        IIpcQueue<int> later = await OpenAsync<int>(name, maxsize: 2);

        Assert.True(later.IsShutDown);
        Assert.Throws<QueueShutDownException>(() => later.PutNowait(1));
    }

    [Fact]
    public async Task Dispose_ends_a_blocked_Get_of_that_handle_with_ObjectDisposed_and_the_queue_lives_on_for_the_others()
    {
        string name = NewName();
        IIpcQueue<int> disposed = await OpenAsync<int>(name, maxsize: 3);
        IIpcQueue<int> other = await OpenAsync<int>(name, maxsize: 3);
        other.Put(1);
        Assert.Equal(1, disposed.Get());

        Task blockedGet = Task.Run(() => disposed.Get());
        await UntilGetWaitsAsync(blockedGet, name);
        Assert.False(blockedGet.IsCompleted);
        disposed.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => blockedGet.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Throws<ObjectDisposedException>(() => disposed.Put(2));
        disposed.Dispose();
        other.Put(3);
        Assert.Equal(3, other.Get(timeout: TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task PutAsync_and_GetAsync_move_items_in_order_and_time_out_as_Put_and_Get_do()
    {
        IIpcQueue<int> queue = await OpenAsync<int>(NewName(), maxsize: 2);

        await queue.PutAsync(1);
        await queue.PutAsync(2);
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<QueueFullException>(async () => await queue.PutAsync(3, TimeSpan.FromMilliseconds(300)));
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(300) + TimeoutSlack);

        Assert.Equal(1, await queue.GetAsync());
        Assert.Equal(2, await queue.GetAsync());
        clock.Restart();
        await Assert.ThrowsAsync<QueueEmptyException>(async () => await queue.GetAsync(TimeSpan.FromMilliseconds(300)));
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(300) + TimeoutSlack);
    }

    [Fact]
    public async Task A_cancelled_GetAsync_takes_nothing_and_the_next_item_reaches_the_next_GetAsync()
    {
        IIpcQueue<int> queue = await OpenAsync<int>(NewName(), maxsize: 3);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await queue.GetAsync(cancellationToken: cancel.Token));

        await queue.PutAsync(5);
        Assert.Equal(5, await queue.GetAsync(TimeSpan.FromSeconds(10)));
    }
}
