using TypedIpc.Tests.Support;
using TypedIpc.TestPeer;

namespace TypedIpc.Tests;

/// <summary>
/// Python's JoinableQueue across processes: TaskDone and Join, with consumers in TypedIpc.TestPeer children, one of
/// them killed while it holds a task.
/// </summary>
public sealed class JoinableQueueTests : IDisposable
{
    /// <summary>Generous: a Join that has not ended by then hangs, and the test fails saying so.</summary>
    private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(60);

    private static readonly QueueOptions Joinable = new() { Joinable = true };

    private readonly TestQueueName _name = new("joinable");

    public void Dispose() => _name.Dispose();

    [Fact]
    public void Join_blocks_while_a_consumer_in_another_process_holds_tasks_and_returns_once_it_marked_them_all_done()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 3, Joinable);
        queue.PutMany([new(1, 0, 0), new(1, 1, 0), new(1, 2, 0)]);
        using var consumer = PeerProcess.Start("joinable-take", _name, "3", "3", "1");
        Assert.Equal("holding 2", consumer.WaitForFirstLine());

        var join = BlockedCall<bool>.Start("Join", () =>
        {
            queue.Join();
            return true;
        }).WaitUntilAsleepIn(_name.Path);
        consumer.Send("done");
        Assert.Equal("done", consumer.NextLine());
        join.WaitUntilAsleepIn(_name.Path); // one task is still held
        consumer.Send("done");

        Assert.True(join.Result());
        consumer.CloseInput();
        consumer.WaitForSuccess();
    }

    [Fact]
    public async Task JoinAsync_completes_once_a_consumer_in_another_process_marked_its_tasks_done()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 3, Joinable);
        queue.PutMany([new(1, 0, 0), new(1, 1, 0)]);
        using var consumer = PeerProcess.Start("joinable-take", _name, "3", "2", "0");
        Assert.Equal("holding 2", consumer.WaitForFirstLine());

        Task join = queue.JoinAsync().AsTask();
        consumer.Send("done");
        Assert.Equal("done", consumer.NextLine());
        Assert.False(join.IsCompleted, "JoinAsync completed while the consumer still held a task");
        consumer.Send("done");

        await join.WaitAsync(HangLimit);
        consumer.CloseInput();
        consumer.WaitForSuccess();
    }

    [Fact]
    public void Join_waiting_when_a_consumer_holding_a_task_is_killed_throws_QueueTasksAbandonedException_with_1_and_a_later_Join_returns()
    {
        Watchdog.Run(nameof(Join_waiting_when_a_consumer_holding_a_task_is_killed_throws_QueueTasksAbandonedException_with_1_and_a_later_Join_returns), HangLimit, () =>
        {
            using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 3, Joinable);
            queue.PutMany([new(1, 0, 0), new(1, 1, 0)]);
            using var consumer = PeerProcess.Start("joinable-take", _name, "3", "2", "1");
            Assert.Equal("holding 1", consumer.WaitForFirstLine());
            var join = BlockedCall<bool>.Start("Join", () =>
            {
                queue.Join();
                return true;
            }).WaitUntilAsleepIn(_name.Path);

            consumer.Kill(); // SIGKILL, holding one task

            Assert.Equal(1, join.Exception<QueueTasksAbandonedException>().AbandonedTasks);
            queue.Join(); // reported once: nothing is unfinished since
            queue.Put(new Numbered(1, 2, 0));
            Assert.Equal(new Numbered(1, 2, 0), queue.Get());
            queue.TaskDone();
            queue.Join();
        });
    }

    [Fact]
    public async Task A_dead_consumers_task_survives_the_takeover_of_its_entry_and_a_later_JoinAsync_throws_with_1_once_the_other_tasks_are_done()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 3, Joinable);
        using var view = new RegionView(_name);
        queue.PutMany([new(1, 0, 0), new(1, 1, 0)]);
        int deadLedger;
        using (var consumer = PeerProcess.Start("joinable-take", _name, "3", "1", "0"))
        {
            Assert.Equal("holding 1", consumer.WaitForFirstLine());
            deadLedger = view.EntriesOf(consumer.Id).Min(); // the entry of the thread that opened it: its ledger
            consumer.Kill();
        }

        Assert.Equal(1UL, view.TasksOf(deadLedger));
        view.MarkUnusedEntriesStale(); // the next process takes the dead consumer's entry

        using (var other = PeerProcess.Start("joinable-take", _name, "3", "0", "0"))
        {
            Assert.Equal("holding 0", other.WaitForFirstLine());
            Assert.True(
                view.PidOf(deadLedger) == other.Id,
                $"the other process took entries [{string.Join(", ", view.EntriesOf(other.Id))}], not the dead consumer's " +
                $"entry {deadLedger} (pid {view.PidOf(deadLedger)}, its lock {(view.IsEntryLocked(deadLedger) ? "still held" : "free")})");
            Assert.Equal(1UL << 32, view.TasksOf(deadLedger)); // held 0, abandoned 1: moved, not lost

            Task join = queue.JoinAsync().AsTask();
            Assert.False(join.IsCompleted, "JoinAsync completed while an item was still in the queue");
            queue.Get();
            queue.TaskDone();
            QueueTasksAbandonedException abandoned = await Assert.ThrowsAsync<QueueTasksAbandonedException>(() => join.WaitAsync(HangLimit));
            Assert.Equal(1, abandoned.AbandonedTasks);
            Assert.Equal(0UL, view.TasksOf(deadLedger)); // consumed by the report
            other.CloseInput();
            other.WaitForSuccess();
        }

        await queue.JoinAsync().AsTask().WaitAsync(HangLimit);
    }

    [Fact]
    public void TaskDone_called_more_times_than_items_were_got_throws_InvalidOperationException_in_that_process_and_here()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 3, Joinable);
        queue.Put(new Numbered(1, 0, 0));
        using var consumer = PeerProcess.Start("joinable-take", _name, "3", "1", "2");
        consumer.CloseInput();

        string[] lines = consumer.WaitForSuccess().Trim().Split(Environment.NewLine);

        Assert.StartsWith("TaskDone threw InvalidOperationException: TaskDone on queue", lines[0]);
        Assert.Contains("more times than items were got through this queue instance", lines[0]);
        Assert.Equal("holding 0", lines[1]);
        var error = Assert.Throws<InvalidOperationException>(queue.TaskDone); // items got elsewhere are not this instance's
        Assert.Contains("more times than items were got", error.Message);
        queue.Join();
    }

    [Fact]
    public void Opening_a_joinable_queue_as_not_joinable_and_the_reverse_is_a_QueueMismatchException_saying_so()
    {
        var kept = new Numbered(1, 0, 0);
        using (var joinable = SharedQueue<Numbered>.Open(_name, maxsize: 3, Joinable))
        {
            joinable.Put(kept);
            using var opener = PeerProcess.Start("joinable-open", _name, "3", "false");
            string line = opener.WaitForSuccess().Trim();
            Assert.StartsWith("mismatch: ", line);
            Assert.Contains("joinable: created joinable, opened without QueueOptions.Joinable", line);
            Assert.Equal(1, joinable.Count);
        }

        using var reverse = new TestQueueName("joinable");
        using (var plain = SharedQueue<Numbered>.Open(reverse, maxsize: 3))
        {
            plain.Put(kept);
            var error = Assert.Throws<QueueMismatchException>(() => SharedQueue<Numbered>.Open(reverse, maxsize: 3, Joinable));
            Assert.Contains("joinable: created not joinable, opened with QueueOptions.Joinable", error.Message);
            using var again = SharedQueue<Numbered>.Open(reverse, maxsize: 3);
            Assert.Equal(kept, again.GetNowait());
            Assert.True(again.IsEmpty);
        }

        // Both queues are unchanged: each still opens as what it was created as, with its item.
        using var same = PeerProcess.Start("joinable-open", _name, "3", "true");
        Assert.Equal("opened, IsJoinable True", same.WaitForSuccess().Trim());
        using var joinableAgain = SharedQueue<Numbered>.Open(_name, maxsize: 3, Joinable);
        Assert.Equal(kept, joinableAgain.GetNowait());
        Assert.True(joinableAgain.IsEmpty);
    }

    [Fact]
    public async Task A_queue_that_is_not_joinable_throws_InvalidOperationException_from_TaskDone_Join_and_JoinAsync()
    {
        using var queue = SharedQueue<int>.Open(_name, maxsize: 3);
        queue.Put(1);

        Assert.False(queue.IsJoinable);
        Assert.Contains("QueueOptions.Joinable", Assert.Throws<InvalidOperationException>(queue.TaskDone).Message);
        Assert.Contains("[IpcQueue(Joinable = true)]", Assert.Throws<InvalidOperationException>(() => queue.Join()).Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => queue.JoinAsync().AsTask());
        Assert.Equal(1, queue.Count);
        Assert.Equal(1, queue.GetNowait());
    }

    [Fact]
    public async Task A_canceled_Join_or_JoinAsync_throws_OperationCanceledException_and_leaves_the_queue_as_it_was()
    {
        using var queue = SharedQueue<int>.Open(_name, maxsize: 3, Joinable);
        queue.PutMany([1, 2]);
        Assert.True(queue.IsJoinable);

        using (var cancel = new CancellationTokenSource())
        {
            var join = BlockedCall<bool>.Start("Join", () =>
            {
                queue.Join(cancel.Token);
                return true;
            }).WaitUntilAsleepIn(_name.Path);
            await cancel.CancelAsync();
            join.Exception<OperationCanceledException>();
        }

        using (var cancel = new CancellationTokenSource())
        {
            Task join = queue.JoinAsync(cancel.Token).AsTask();
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => join.WaitAsync(HangLimit));
        }

        Assert.Equal([1, 2], [queue.Get(), queue.Get()]);
        queue.TaskDone();
        queue.TaskDone();
        queue.Join();
    }

    [Fact]
    public void An_immediate_shutdown_discards_the_items_left_and_a_Join_then_waits_only_for_the_tasks_held()
    {
        using var queue = SharedQueue<int>.Open(_name, maxsize: 3, Joinable);
        queue.PutMany([1, 2, 3]);
        Assert.Equal(1, queue.Get());

        queue.Shutdown(immediate: true);
        queue.TaskDone();

        queue.Join();
        Assert.Throws<InvalidOperationException>(queue.TaskDone);
    }
}
