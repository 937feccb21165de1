using System.Diagnostics;
using System.Globalization;
using TypedIpc.Tests.Support;
using TypedIpc.TestPeer;
using Xunit.Abstractions;

namespace TypedIpc.Tests;

/// <summary>PutAsync, GetAsync and ReadAllAsync: one waiting thread per queue instance and side, against real processes.</summary>
[Collection(RunAloneCollection.Name)]
public sealed class AsyncTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan EndTimeout = TimeSpan.FromSeconds(30);

    private readonly TestQueueName _name = new("async");

    public void Dispose() => _name.Dispose();

    [Fact]
    public async Task A_thousand_pending_GetAsync_calls_add_a_handful_of_threads_sleep_in_the_kernel_and_each_get_one_of_a_thousand_puts_from_another_process()
    {
        const int Calls = 1000;
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 64);
        int threadsBefore = ThreadCount();

        Task<Numbered>[] gets = Enumerable.Range(0, Calls).Select(_ => queue.GetAsync().AsTask()).ToArray();

        int watcher = WatcherThread("TypedIpc GetAsync", _name.Path);
        int added = ThreadCount() - threadsBefore;
        long cpuBefore = CpuTicks(watcher);
        Thread.Sleep(TimeSpan.FromSeconds(1)); // the measurement window, not a synchronization
        long idleTicks = CpuTicks(watcher) - cpuBefore;
        output.WriteLine($"{Calls} pending GetAsync: {added} threads added; the waiting thread used {idleTicks} clock ticks of CPU in 1 s");
        Assert.True(added <= 5, $"{Calls} pending GetAsync calls added {added} threads");
        Assert.True(idleTicks <= 5, $"the waiting thread used {idleTicks} clock ticks of CPU in 1 s while nothing happened");
        Assert.DoesNotContain(gets, get => get.IsCompleted);

        using var producer = PeerProcess.Start("produce", _name, "64", "3", $"{Calls}");
        Numbered[] got = await Task.WhenAll(gets).WaitAsync(EndTimeout);
        producer.WaitForSuccess();

        Assert.Equal(Enumerable.Range(0, Calls).Select(i => (long)i), got.Select(item => item.Sequence).Order());
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task Calls_canceled_before_they_start_take_and_put_nothing()
    {
        using var queue = SharedQueue<int>.Open(_name, maxsize: 2);
        queue.PutMany([1, 2]);
        using var canceled = new CancellationTokenSource();
        await canceled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queue.GetAsync(cancellationToken: canceled.Token).AsTask());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queue.PutAsync(3, cancellationToken: canceled.Token).AsTask());

        Assert.Equal([1, 2], [queue.Get(), queue.Get()]);
    }

    [Fact]
    public async Task A_GetAsync_canceled_while_it_waits_has_ended_when_Cancel_returns_and_takes_nothing()
    {
        using var queue = SharedQueue<int>.Open(_name, maxsize: 2);
        using var cancellation = new CancellationTokenSource();
        ValueTask<int> get = queue.GetAsync(cancellationToken: cancellation.Token);
        WatcherThread("TypedIpc GetAsync", _name.Path);

        cancellation.Cancel();

        AssertEndedByTheCancellation("GetAsync", get.IsCompleted);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => get.AsTask());
        queue.PutMany([1, 2]);
        Assert.Equal([1, 2], [queue.Get(), queue.Get()]);
    }

    [Fact]
    public async Task A_PutAsync_canceled_while_it_waits_has_ended_when_Cancel_returns_and_puts_nothing()
    {
        using var queue = SharedQueue<int>.Open(_name, maxsize: 1);
        queue.Put(1);
        using var cancellation = new CancellationTokenSource();
        ValueTask put = queue.PutAsync(2, cancellationToken: cancellation.Token);
        WatcherThread("TypedIpc PutAsync", _name.Path);

        cancellation.Cancel();

        AssertEndedByTheCancellation("PutAsync", put.IsCompleted);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => put.AsTask());
        Assert.Equal(1, queue.Get());
        Assert.False(queue.TryGet(out _));
    }

    [Fact]
    public async Task Timeouts_throw_QueueEmptyException_and_QueueFullException_and_change_nothing()
    {
        using var queue = SharedQueue<int>.Open(_name, maxsize: 1);
        await Assert.ThrowsAsync<QueueEmptyException>(() => queue.GetAsync(TimeSpan.FromMilliseconds(20)).AsTask());

        queue.Put(1);
        await Assert.ThrowsAsync<QueueFullException>(() => queue.PutAsync(2, TimeSpan.FromMilliseconds(20)).AsTask());

        Assert.Equal(1, await queue.GetAsync(TimeSpan.Zero));
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task A_PutAsync_waiting_for_room_is_served_by_a_Get_in_another_process()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 1);
        await queue.PutAsync(new Numbered(1, 0, 0));
        Task put = queue.PutAsync(new Numbered(1, 1, 0)).AsTask();

        using var consumer = PeerProcess.Start("get-one", _name, "1");
        Assert.Equal("got 1 0", consumer.WaitForSuccess().Trim());
        await put.WaitAsync(EndTimeout);

        Assert.Equal(new Numbered(1, 1, 0), queue.Get());
    }

    [Fact]
    public async Task ReadAllAsync_yields_what_another_process_put_and_completes_when_a_third_shuts_the_queue_down()
    {
        const int Items = 10_000;
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 8);
        var read = new List<long>();
        Task reading = Task.Run(async () =>
        {
            await foreach (Numbered item in queue.ReadAllAsync())
            {
                read.Add(item.Sequence);
            }
        });

        using (var producer = PeerProcess.Start("produce", _name, "8", "2", $"{Items}"))
        {
            producer.WaitForSuccess();
        }

        using (var closer = PeerProcess.Start("shut-down", _name, "8"))
        {
            closer.WaitForSuccess();
        }

        await reading.WaitAsync(EndTimeout);
        Assert.Equal(Enumerable.Range(0, Items).Select(i => (long)i), read);
    }

    [Fact]
    public async Task Ten_thousand_PutAsync_calls_on_a_small_queue_reach_a_consumer_in_another_process_once_each_in_order()
    {
        const int Items = 10_000;
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 8);
        using var consumer = PeerProcess.Start("get-until-shut-down", _name, "8");

        for (int i = 0; i < Items; i++)
        {
            await queue.PutAsync(new Numbered(4, i, 0));
        }

        queue.Shutdown(); // the consumer still gets what is left, then the exception

        string[] lines = consumer.WaitForSuccess().Trim().Split(Environment.NewLine);
        Assert.Equal(Enumerable.Range(0, Items).Select(i => $"got 4 {i}"), lines[..^1]);
        Assert.StartsWith("shut down ", lines[^1]);
    }

    [Fact]
    public async Task Awaiting_calls_wake_with_QueueShutDownException_when_another_process_shuts_their_queues_down()
    {
        using var fullName = new TestQueueName("async-full");
        using var empty = SharedQueue<Numbered>.Open(_name, maxsize: 1);
        using var full = SharedQueue<Numbered>.Open(fullName, maxsize: 1);
        full.Put(new Numbered(1, 0, 0));
        Task<(Exception? Error, long At)> getEnded = Ending(empty.GetAsync().AsTask());
        Task<(Exception? Error, long At)> putEnded = Ending(full.PutAsync(new Numbered(1, 1, 0)).AsTask());
        int getWatcher = WatcherThread("TypedIpc GetAsync", _name.Path);
        int putWatcher = WatcherThread("TypedIpc PutAsync", fullName.Path);

        long[] shutDownAt = [ShutDownInAnotherProcess(_name), ShutDownInAnotherProcess(fullName)];

        // Read in the kernel, not timed: a watcher the shutdown's wake missed would still sleep on the queue's futex
        // until its next bounded sleep ends; one it reached has left it (once the calls end, it idles elsewhere).
        Assert.False(KernelWait.IsSleepingOnFutexIn(Environment.ProcessId, getWatcher, _name.Path), "the shutdown did not wake the GetAsync watcher");
        Assert.False(KernelWait.IsSleepingOnFutexIn(Environment.ProcessId, putWatcher, fullName.Path), "the shutdown did not wake the PutAsync watcher");
        (Exception? getError, long getEndedAt) = await getEnded.WaitAsync(EndTimeout);
        (Exception? putError, long putEndedAt) = await putEnded.WaitAsync(EndTimeout);
        Assert.IsType<QueueShutDownException>(getError);
        Assert.IsType<QueueShutDownException>(putError);
        output.WriteLine(
            $"after a shutdown in another process: GetAsync ended in {Stopwatch.GetElapsedTime(shutDownAt[0], getEndedAt).TotalMilliseconds:0.###} ms, " +
            $"PutAsync in {Stopwatch.GetElapsedTime(shutDownAt[1], putEndedAt).TotalMilliseconds:0.###} ms");
        Assert.Equal(new Numbered(1, 0, 0), full.Get());
        Assert.Throws<QueueShutDownException>(() => full.Get());
    }

    [Fact]
    public async Task Calls_awaiting_on_a_disposed_instance_end_with_ObjectDisposedException()
    {
        var queue = SharedQueue<int>.Open(_name, maxsize: 1);
        Task<int> get = queue.GetAsync().AsTask();

        queue.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => get.WaitAsync(EndTimeout));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => queue.GetAsync().AsTask());
    }

    /// <summary>
    /// A canceled call ends in the cancellation's callback, so it has ended when Cancel returns: checked on the
    /// ValueTask itself, which is not timed and so cannot be failed by a loaded machine (how soon its continuation
    /// then runs is the thread pool's business; benchmarks/ measures it).
    /// </summary>
    private static void AssertEndedByTheCancellation(string call, bool isCompleted) =>
        Assert.True(isCompleted, $"a canceled {call} had not ended when Cancel returned: it was left to its watcher's next look.");

    /// <summary>
    /// How a call ended and when (Stopwatch timestamp), taken where it ended: not on the test's synchronization
    /// context, whose threads may be busy or blocked meanwhile.
    /// </summary>
    private static Task<(Exception? Error, long At)> Ending(Task call) => call.ContinueWith(
        ended => (ended.IsCanceled ? new TaskCanceledException(ended) : ended.Exception?.InnerException, Stopwatch.GetTimestamp()),
        CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>Runs a child that shuts queue <paramref name="name"/> down; returns its Stopwatch timestamp from just before.</summary>
    private static long ShutDownInAnotherProcess(string name)
    {
        using var closer = PeerProcess.Start("shut-down", name, "1");
        return long.Parse(closer.WaitForSuccess().Trim().Split(' ')[^1], CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The kernel id of the thread of this process whose name starts with <paramref name="name"/> (as much as /proc
    /// keeps: 15 bytes) and that sleeps on a futex in <paramref name="queuePath"/>'s mapping: other queues' watchers
    /// (another test's, idling out) may carry the same name.
    /// </summary>
    private static int WatcherThread(string name, string queuePath)
    {
        int watcher = 0;
        bool found = SpinWait.SpinUntil(
            () => (watcher = ThreadsNamed(name).FirstOrDefault(thread => KernelWait.IsAsleepOnFutexIn(Environment.ProcessId, thread, queuePath))) != 0,
            EndTimeout);
        Assert.True(found, $"no thread named '{name}' went to sleep on a futex in {queuePath}");
        return watcher;
    }

    private static int[] ThreadsNamed(string name) =>
        Directory.GetDirectories("/proc/self/task")
            .Where(task => name.StartsWith(File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n'), StringComparison.Ordinal))
            .Select(task => int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture))
            .ToArray();

    private static int ThreadCount() =>
        int.Parse(File.ReadLines("/proc/self/status").First(line => line.StartsWith("Threads:", StringComparison.Ordinal))[8..].Trim(),
            CultureInfo.InvariantCulture);

    /// <summary>User plus system CPU time of one thread of this process, in clock ticks (/proc/self/task/…/stat fields 14 and 15).</summary>
    private static long CpuTicks(int threadId)
    {
        string stat = File.ReadAllText($"/proc/self/task/{threadId}/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }
}
