using System.Diagnostics;
using TypedIpc.Tests.Support;
using TypedIpc.TestPeer;
using Xunit.Abstractions;

namespace TypedIpc.Tests.Internal;

/// <summary>
/// The watcher thread that serves awaited calls runs the continuation of a call it ends alone (it is lent to user code);
/// user code that keeps it must not starve other awaited calls, deadlock on sync-over-async, or block Dispose.
/// </summary>
/// <remarks>
/// Each test below would hang if what it checks were broken, so every wait is bounded by <see cref="EndTimeout"/>, far
/// above the 50 ms after which a lent watcher is replaced: a failure shows as a false result or a timeout, not as a
/// stalled run.
/// </remarks>
[Collection(RunAloneCollection.Name)]
public sealed class QueueWatcherTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan EndTimeout = TimeSpan.FromSeconds(30);

    private readonly TestQueueName _name = new("watcher");

    public void Dispose() => _name.Dispose();

    [Fact]
    public async Task An_awaited_get_woken_by_a_put_in_another_process_continues_on_the_watcher_thread_with_the_item()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 4);
        Task<(Numbered Item, string? Thread)> get = GetAndNameTheThread(queue);

        PutInAnotherProcess(producer: 1);

        (Numbered item, string? thread) = await get.WaitAsync(EndTimeout);
        Assert.Equal(new Numbered(1, 0, 0), item);
        Assert.Equal($"TypedIpc GetAsync {_name}", thread);
    }

    [Fact]
    public async Task A_continuation_that_blocks_on_the_watcher_thread_does_not_keep_other_awaited_gets_from_being_served()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 4);
        using var release = new ManualResetEventSlim();
        Task<bool> blocking = RunInTheContinuationOfAGet(queue, () => release.Wait(EndTimeout));

        // The watcher is lent to the continuation above, which waits for this get: only a new watcher can serve it.
        Task<Numbered> second = queue.GetAsync().AsTask();
        long putAt = Stopwatch.GetTimestamp();
        PutInAnotherProcess(producer: 2);
        Numbered item = await second.WaitAsync(EndTimeout);
        output.WriteLine($"the second GetAsync ended {Stopwatch.GetElapsedTime(putAt).TotalMilliseconds:0.#} ms after its put began");
        release.Set();

        Assert.Equal(new Numbered(2, 0, 0), item);
        Assert.True(await blocking.WaitAsync(EndTimeout), "the blocked continuation was released only by its own timeout");
    }

    [Fact]
    public async Task Sync_over_async_in_a_continuation_on_the_watcher_thread_ends_when_the_item_comes()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 4);
        Task<Numbered>? inner = null;
        Task<bool> blocking = RunInTheContinuationOfAGet(queue, () =>
        {
            inner = queue.GetAsync().AsTask();
            return inner.Wait(EndTimeout);
        });

        PutInAnotherProcess(producer: 2);

        Assert.True(await blocking.WaitAsync(EndTimeout * 2), "the GetAsync waited for synchronously inside the continuation timed out");
        Assert.Equal(new Numbered(2, 0, 0), await inner!);
    }

    [Fact]
    public async Task Dispose_from_another_thread_while_a_continuation_runs_on_the_watcher_thread_returns_and_fails_the_pending_gets()
    {
        var queue = SharedQueue<Numbered>.Open(_name, maxsize: 4);
        using var release = new ManualResetEventSlim();
        Task<bool> blocking = RunInTheContinuationOfAGet(queue, () => release.Wait(EndTimeout));
        Task<Numbered> pending = queue.GetAsync().AsTask();

        Watchdog.Run("Dispose while the watcher thread runs a continuation", EndTimeout, queue.Dispose);

        await Assert.ThrowsAsync<ObjectDisposedException>(() => pending.WaitAsync(EndTimeout));
        release.Set();
        Assert.True(await blocking.WaitAsync(EndTimeout));
    }

    [Fact]
    public async Task Dispose_inside_a_continuation_on_the_watcher_thread_returns_and_fails_the_pending_gets()
    {
        var queue = SharedQueue<Numbered>.Open(_name, maxsize: 4);
        using var entered = new ManualResetEventSlim();
        Task<Numbered>? pending = null;
        Task<bool> disposing = BlockInTheContinuation(queue, entered, () =>
        {
            pending = queue.GetAsync().AsTask();
            queue.Dispose(); // on the very thread a Dispose would otherwise wait for
            return true;
        });

        PutInAnotherProcess(producer: 1);

        Assert.True(await disposing.WaitAsync(EndTimeout), "Dispose inside the continuation did not return");
        await Assert.ThrowsAsync<ObjectDisposedException>(() => pending!.WaitAsync(EndTimeout));
    }

    private static async Task<(Numbered Item, string? Thread)> GetAndNameTheThread(SharedQueue<Numbered> queue)
    {
        Numbered item = await queue.GetAsync().ConfigureAwait(false);
        return (item, Thread.CurrentThread.Name);
    }

    /// <summary>
    /// Awaits one item, then, asserting that the continuation runs on the watcher thread, signals
    /// <paramref name="entered"/> and runs <paramref name="block"/> there; returns its result.
    /// </summary>
    private async Task<bool> BlockInTheContinuation(SharedQueue<Numbered> queue, ManualResetEventSlim entered, Func<bool> block)
    {
        Numbered item = await queue.GetAsync().ConfigureAwait(false);
        Assert.Equal(new Numbered(1, 0, 0), item);
        Assert.Equal($"TypedIpc GetAsync {_name}", Thread.CurrentThread.Name);
        entered.Set();
        return block();
    }

    /// <summary>
    /// Starts <see cref="BlockInTheContinuation"/>, puts its item from another process, and returns once the
    /// continuation runs <paramref name="block"/> on the watcher thread.
    /// </summary>
    private Task<bool> RunInTheContinuationOfAGet(SharedQueue<Numbered> queue, Func<bool> block)
    {
        var entered = new ManualResetEventSlim();
        Task<bool> blocking = BlockInTheContinuation(queue, entered, block);
        PutInAnotherProcess(producer: 1);
        Assert.True(entered.Wait(EndTimeout), "the first GetAsync's continuation never ran");
        return blocking;
    }

    private void PutInAnotherProcess(int producer)
    {
        using var peer = PeerProcess.Start("produce", _name, "4", $"{producer}", "1");
        peer.WaitForSuccess();
    }
}
