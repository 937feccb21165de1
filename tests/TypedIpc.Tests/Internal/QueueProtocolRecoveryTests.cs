using System.Diagnostics;
using TypedIpc.Internal;
using TypedIpc.Tests.Support;
using TypedIpc.TestPeer;

namespace TypedIpc.Tests.Internal;

/// <summary>
/// A child process takes a process-table entry, the test leaves in the mapping exactly the claim a process killed
/// mid-operation leaves behind (in that child's entry), then kills the child: survivors must finish the claim.
/// </summary>
public sealed unsafe class QueueProtocolRecoveryTests : IDisposable
{
    // Recovery happens at the first liveness poll (50 ms) after the spin. The calls wait up to 10 s, so a bound of
    // 5 s still tells "recovered at a poll" from "gave up waiting", and leaves a loaded machine 100 polls.
    private static readonly TimeSpan RecoveryLimit = TimeSpan.FromSeconds(5);
    private readonly TestQueueName _name = new("recovery");

    public void Dispose() => _name.Dispose();

    [Fact]
    public void A_producer_killed_holding_the_tail_costs_only_its_unpublished_message()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 3);
        using var region = new RegionView(_name);
        queue.Put(new Numbered(1, 0, 0));
        LeaveClaimOfKilledProcess(region, Claim.LockedTail);

        var clock = Stopwatch.StartNew();
        queue.Put(new Numbered(1, 2, 0), timeout: TimeSpan.FromSeconds(10));

        // The recovered Tail skipped a line, so the next record went to the ring, where its Start frees that line again.
        Assert.True(Packing.IsInRing(region.Slot(1)->State));
        Assert.Equal(0, queue.Get(timeout: TimeSpan.FromSeconds(10)).Sequence);
        Assert.Equal(2, queue.Get(timeout: TimeSpan.FromSeconds(10)).Sequence);
        Assert.True(clock.Elapsed < RecoveryLimit, $"recovering the dead producer's tail took {clock.Elapsed}");
        Assert.True(queue.IsEmpty);
        Assert.Equal(0, queue.BytesUsed);
    }

    [Fact]
    public void A_producer_killed_after_publishing_part_of_a_batch_keeps_what_it_published()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 4);
        using var region = new RegionView(_name);
        LeaveTwoItemsTheSecondUnderTheLockOfAKilledProducer(queue, region, consumeBeforeTheKill: false);

        queue.Put(new Numbered(1, 2, 0), timeout: TimeSpan.FromSeconds(10));

        Assert.Equal([0, 1, 2], Enumerable.Range(0, 3).Select(_ => queue.Get(timeout: TimeSpan.FromSeconds(10)).Sequence));
        Assert.True(queue.IsEmpty);
    }

    [Fact]
    public void A_producer_killed_in_the_middle_of_a_batch_put_loses_only_the_records_it_had_not_published()
    {
        // A batch put publishes 32 records at a time: the child has published items 0 to 31, written 32 to 39 without
        // publishing them, and is serializing item 40 when it is killed.
        using var queue = SharedQueue<Held>.Open(_name, maxsize: 64);
        using (var child = PeerProcess.Start("put-many-held", _name, "64", "50", "40"))
        {
            Assert.Equal("holding", child.WaitForFirstLine());
            child.Kill();
        }

        var clock = Stopwatch.StartNew();
        queue.Put(new Held(1000), timeout: TimeSpan.FromSeconds(10));
        Assert.True(clock.Elapsed < RecoveryLimit, $"recovering the dead producer's tail took {clock.Elapsed}");
        var received = new Held[64];
        int count = queue.GetMany(received, block: false);
        Assert.Equal([.. Enumerable.Range(0, 32), 1000], received[..count].Select(held => held.Index));
        Assert.True(queue.IsEmpty);
    }

    [Fact]
    public void A_dead_producers_published_items_that_were_already_consumed_stay_consumed()
    {
        // Found by the chaos run: recovery took "not Ready" for "not published", set the Tail back over items
        // consumers had taken, and the next put wrote below Head, where no consumer would ever look.
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 4);
        using var region = new RegionView(_name);
        LeaveTwoItemsTheSecondUnderTheLockOfAKilledProducer(queue, region, consumeBeforeTheKill: true);

        queue.Put(new Numbered(1, 2, 0), timeout: TimeSpan.FromSeconds(10));

        Assert.Equal(2, queue.Get(timeout: TimeSpan.FromSeconds(10)).Sequence);
        Assert.True(queue.IsEmpty);
    }

    [Fact]
    public void A_consumer_killed_while_reading_frees_its_item_for_a_waiting_producer()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 1);
        using var region = new RegionView(_name);
        queue.Put(new Numbered(1, 0, 0));
        LeaveClaimOfKilledProcess(region, Claim.TakenItem);

        var clock = Stopwatch.StartNew();
        queue.Put(new Numbered(1, 1, 0), timeout: TimeSpan.FromSeconds(10));
        Assert.True(clock.Elapsed < RecoveryLimit, $"recovering the dead consumer's item took {clock.Elapsed}");
        Assert.Equal(1, queue.GetNowait().Sequence);
    }

    [Fact]
    public void A_non_blocking_call_also_finishes_a_dead_owners_claim()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 1);
        using var region = new RegionView(_name);
        LeaveClaimOfKilledProcess(region, Claim.LockedTail);

        Assert.False(queue.TryGet(out _));
        Assert.False(Packing.IsLocked(region.Header->Tail));
        Assert.True(queue.TryPut(new Numbered(1, 1, 0)));

        // Not the lean path of a struct that fits its slot: after the recovered Tail's skipped line, the ring.
        Assert.True(Packing.IsInRing(region.Slot(0)->State));
        Assert.Equal(1, queue.GetNowait().Sequence);
        Assert.Equal(0, queue.BytesUsed);
    }

    [Fact]
    public void A_claim_of_a_live_process_is_waited_for_not_stolen()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 1);
        using var region = new RegionView(_name);
        using var child = PeerProcess.Start("hold", _name, "1");
        Assert.Equal("ready", child.WaitForFirstLine());
        ulong locked = LeaveClaim(region, Claim.LockedTail, child.Id);

        Assert.Throws<QueueEmptyException>(() => queue.Get(timeout: TimeSpan.FromMilliseconds(200)));
        Assert.Throws<QueueFullException>(() => queue.Put(new Numbered(1, 1, 0), timeout: TimeSpan.FromMilliseconds(200)));
        Assert.Equal(locked, region.Header->Tail);
    }

    [Fact]
    public void A_slot_still_held_by_a_live_reader_of_the_previous_lap_is_waited_for_not_taken_for_damage()
    {
        // maxsize 4 gives four slots: with item 0 held, the Get at item 4 finds slot 0 still Ready for item 0.
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 4);
        using var region = new RegionView(_name);
        queue.PutMany([new Numbered(1, 0, 0), new Numbered(1, 1, 0), new Numbered(1, 2, 0), new Numbered(1, 3, 0)]);
        using var child = PeerProcess.Start("hold", _name, "4");
        Assert.Equal("ready", child.WaitForFirstLine());
        LeaveClaim(region, Claim.TakenItem, child.Id);
        Assert.Equal([1, 2, 3], Enumerable.Range(0, 3).Select(_ => queue.GetNowait().Sequence));

        Assert.Throws<QueueEmptyException>(() => queue.Get(timeout: TimeSpan.FromMilliseconds(200)));
        Assert.Throws<QueueFullException>(() => queue.Put(new Numbered(1, 4, 0), timeout: TimeSpan.FromMilliseconds(200)));
    }

    private enum Claim
    {
        LockedTail,
        TakenItem,
    }

    /// <summary>
    /// Puts items 0 and 1, then has a child "lock" the Tail as it stood before item 1: item 1 was published under the
    /// lock of a producer that is then killed (after, when asked, a consumer took both items).
    /// </summary>
    private void LeaveTwoItemsTheSecondUnderTheLockOfAKilledProducer(SharedQueue<Numbered> queue, RegionView region, bool consumeBeforeTheKill)
    {
        queue.Put(new Numbered(1, 0, 0));
        queue.Put(new Numbered(1, 1, 0));
        using var child = PeerProcess.Start("hold", _name, "4");
        Assert.Equal("ready", child.WaitForFirstLine());
        ulong tail = region.Header->Tail;
        // Both records live in their slots: item 1 was put at the Tail's position, which neither moved.
        ulong before = Packing.Tail(Packing.ItemsOf(tail) - 1, Packing.TailPosition(tail));
        region.Entry(region.EntriesOf(child.Id)[0])->PutFrom = before;
        region.Header->Tail = Packing.Locked(before);
        if (consumeBeforeTheKill)
        {
            Assert.Equal([0, 1], [queue.GetNowait().Sequence, queue.GetNowait().Sequence]);
        }

        child.Kill();
    }

    /// <summary>Starts a child that attaches to the queue, leaves a claim in its entry, then kills it.</summary>
    private void LeaveClaimOfKilledProcess(RegionView region, Claim claim)
    {
        using var child = PeerProcess.Start("hold", _name, $"{region.Header->MaxSize}");
        Assert.Equal("ready", child.WaitForFirstLine());
        LeaveClaim(region, claim, child.Id);
        child.Kill();
    }

    /// <summary>
    /// Writes what process <paramref name="pid"/> leaves when it stops right after its claim's CAS: the Tail locked
    /// in its name (a producer), or the item at Head taken in its name (a consumer). Returns the claimed word.
    /// </summary>
    private static ulong LeaveClaim(RegionView region, Claim claim, int pid)
    {
        ProcessEntry* entry = region.Entry(region.EntriesOf(pid)[0]);
        return claim == Claim.LockedTail
            ? Packing.Locked(region.LockTailFor(entry))
            : region.TakeItemsFor(entry, 1) + 1;
    }
}
