using System.Diagnostics;
using TypedIpc.Internal;
using TypedIpc.Tests.Support;
using TypedIpc.TestPeer;

namespace TypedIpc.Tests.Internal;

/// <summary>
/// A child process takes a process-table entry, the test leaves in the mapping exactly the claim a process killed
/// mid-operation leaves behind (owned by that child), then kills the child: survivors must finish the claim.
/// </summary>
public sealed unsafe class QueueProtocolRecoveryTests : IDisposable
{
    private static readonly TimeSpan RecoveryLimit = TimeSpan.FromSeconds(1);
    private readonly TestQueueName _name = new("recovery");

    public void Dispose() => _name.Dispose();

    [Fact]
    public void A_producer_killed_between_claim_and_publish_costs_only_its_own_message()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 3);
        using var region = new RegionView(_name);
        queue.Put(new Numbered(1, 0, 0));
        LeaveClaimOfKilledProcess(region, maxsize: 3, SlotPhase.Writing);

        queue.Put(new Numbered(1, 2, 0));

        var clock = Stopwatch.StartNew();
        Assert.Equal(0, queue.Get(timeout: TimeSpan.FromSeconds(10)).Sequence);
        Assert.Equal(2, queue.Get(timeout: TimeSpan.FromSeconds(10)).Sequence);
        Assert.True(clock.Elapsed < RecoveryLimit, $"recovering the dead producer's slot took {clock.Elapsed}");
        Assert.True(queue.IsEmpty);
    }

    [Fact]
    public void A_consumer_killed_while_reading_frees_its_slot_for_a_waiting_producer()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 1);
        using var region = new RegionView(_name);
        queue.Put(new Numbered(1, 0, 0));
        LeaveClaimOfKilledProcess(region, maxsize: 1, SlotPhase.Reading);

        var clock = Stopwatch.StartNew();
        queue.Put(new Numbered(1, 1, 0), timeout: TimeSpan.FromSeconds(10));
        Assert.True(clock.Elapsed < RecoveryLimit, $"recovering the dead consumer's slot took {clock.Elapsed}");
        Assert.Equal(1, queue.GetNowait().Sequence);
    }

    [Fact]
    public void A_non_blocking_call_also_finishes_a_dead_owners_claim()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 1);
        using var region = new RegionView(_name);
        LeaveClaimOfKilledProcess(region, maxsize: 1, SlotPhase.Writing);

        Assert.False(queue.TryGet(out _));
        Assert.Equal(SlotPhase.Free, SlotState.PhaseOf(region.Slot(0)->State));
        Assert.True(queue.TryPut(new Numbered(1, 1, 0)));
        Assert.Equal(1, queue.GetNowait().Sequence);
    }

    [Fact]
    public void A_claim_of_a_live_process_is_waited_for_not_stolen()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 1);
        using var region = new RegionView(_name);
        using var child = PeerProcess.Start("hold", _name, "1");
        Assert.Equal("ready", child.WaitForFirstLine());
        ulong claim = LeaveClaim(region, maxsize: 1, SlotPhase.Writing, child.Id);

        Assert.Throws<QueueEmptyException>(() => queue.Get(timeout: TimeSpan.FromMilliseconds(200)));
        Assert.Equal(claim, region.Slot(0)->State);
    }

    /// <summary>Starts a child that attaches to the queue, leaves a claim in its name, then kills it.</summary>
    private void LeaveClaimOfKilledProcess(RegionView region, int maxsize, SlotPhase phase)
    {
        using var child = PeerProcess.Start("hold", _name, $"{maxsize}");
        Assert.Equal("ready", child.WaitForFirstLine());
        LeaveClaim(region, maxsize, phase, child.Id);
        child.Kill();
    }

    /// <summary>
    /// Writes what process <paramref name="pid"/> leaves when it stops right after claiming the next position:
    /// a Writing claim at Tail (a producer) or a Reading claim at Head (a consumer), with the counter moved on.
    /// </summary>
    private static ulong LeaveClaim(RegionView region, int maxsize, SlotPhase phase, int pid)
    {
        ref long counter = ref phase == SlotPhase.Writing ? ref region.Header->Tail : ref region.Header->Head;
        long position = counter;
        ulong claim = SlotState.MakeState((uint)position, phase, OwnerTokenOf(region, pid));
        region.Slot((int)(position % maxsize))->State = claim;
        counter = position + 1;
        return claim;
    }

    private static uint OwnerTokenOf(RegionView region, int pid)
    {
        int index = region.EntryIndexOf(pid);
        return SlotState.OwnerToken(index, region.Entry(index)->Generation);
    }
}
