using System.Diagnostics;
using System.Runtime.CompilerServices;
using TypedIpc.Internal;
using TypedIpc.Tests.Support;
using TypedIpc.TestPeer;
using Xunit.Abstractions;

namespace TypedIpc.Tests;

/// <summary>
/// Containers that share /dev/shm but not a PID namespace (pod sidecars, docker --ipc=container:): a process in its
/// own PID namespace (unshare --pid --fork --mount-proc; needs root, which CI has: refused, the tests fail) keeps
/// its claims while it lives, and is recovered at a liveness poll once killed. Its pid means nothing here, its /proc is
/// another one: only the kernel's lock on its process-table entry can say it lives.
/// </summary>
public sealed unsafe class ContainerLivenessTests(ITestOutputHelper output) : IDisposable
{
    // The claim is waited for this long while its owner lives: many liveness polls (50 ms each).
    private static readonly TimeSpan KeptFor = TimeSpan.FromMilliseconds(600);

    // Recovery comes at the first liveness poll (50 ms) after the spin. The put waits up to 10 s, so a bound of 5 s
    // still tells "recovered at a poll" from "gave up waiting", and leaves a loaded machine 100 polls.
    private static readonly TimeSpan RecoveryLimit = TimeSpan.FromSeconds(5);

    private readonly TestQueueName _name = new("container");

    public void Dispose() => _name.Dispose();

    [Fact]
    public void NeedsRoot_a_reader_in_its_own_PID_namespace_keeps_its_item_while_alive_and_is_recovered_once_killed()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 1);
        using var region = new RegionView(_name);
        queue.Put(new Numbered(1, 0, 0));
        using var reader = StartInOwnNamespace(region, out ProcessEntry* entry);
        uint head = region.TakeItemsFor(entry, 1);

        Assert.Throws<QueueFullException>(() => queue.Put(new Numbered(1, 1, 0), timeout: KeptFor));
        Assert.Equal(Packing.SlotState(head, SlotPhase.Ready, Packing.Record(Unsafe.SizeOf<Numbered>(), inRing: false)), region.Slot(head)->State);

        reader.Kill();
        var clock = Stopwatch.StartNew();
        queue.Put(new Numbered(1, 1, 0), timeout: TimeSpan.FromSeconds(10));
        output.WriteLine($"reader in its own PID namespace: its item kept for {KeptFor.TotalMilliseconds:0} ms while alive; recovered {clock.Elapsed.TotalMilliseconds:0.0} ms after its kill");
        Assert.True(clock.Elapsed < RecoveryLimit, $"recovering the dead reader's item took {clock.Elapsed}");
        Assert.Equal(1, queue.GetNowait().Sequence);
    }

    [Fact]
    public void NeedsRoot_a_producer_in_its_own_PID_namespace_keeps_the_tail_while_alive_and_is_recovered_once_killed()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 2);
        using var region = new RegionView(_name);
        using var producer = StartInOwnNamespace(region, out ProcessEntry* entry);
        ulong tail = region.LockTailFor(entry);

        Assert.Throws<QueueEmptyException>(() => queue.Get(timeout: KeptFor));
        Assert.Equal(Packing.Locked(tail), region.Header->Tail);

        producer.Kill();
        var clock = Stopwatch.StartNew();
        queue.Put(new Numbered(1, 5, 0), timeout: TimeSpan.FromSeconds(10));
        output.WriteLine($"producer in its own PID namespace: the tail kept for {KeptFor.TotalMilliseconds:0} ms while alive; recovered {clock.Elapsed.TotalMilliseconds:0.0} ms after its kill");
        Assert.True(clock.Elapsed < RecoveryLimit, $"recovering the dead producer's tail took {clock.Elapsed}");
        Assert.Equal(5, queue.GetNowait().Sequence);
    }

    [Fact]
    public void NeedsRoot_a_sleeper_in_its_own_PID_namespace_is_woken_across_namespaces()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 2);
        using var region = new RegionView(_name);
        using var sleeper = PidNamespacePeer.Start("get-one", _name, "2");
        RegionView.WaitUntil(
            () =>
            {
                sleeper.ThrowIfExited();
                return region.GetWaiters == 1;
            },
            "the consumer in its own PID namespace sleeps in Get");

        queue.Put(new Numbered(1, 9, 0));

        var clock = Stopwatch.StartNew();
        Assert.Equal("got 1 9", sleeper.WaitForFirstLine());
        output.WriteLine($"sleeper in its own PID namespace: woken and printed its item {clock.Elapsed.TotalMilliseconds:0.0} ms after the put");
        Assert.True(queue.IsEmpty);
    }

    /// <summary>Starts a peer in its own PID namespace that attaches and waits; finds its process-table entry.</summary>
    private PidNamespacePeer StartInOwnNamespace(RegionView region, out ProcessEntry* entry)
    {
        var before = new HashSet<int>(Enumerable.Range(0, QueueGeometry.ProcessTableCapacity).Where(i => region.Entry(i)->Pid != 0));
        var peer = PidNamespacePeer.Start("hold", _name, $"{region.Header->MaxSize}");
        try
        {
            Assert.Equal("ready", peer.WaitForFirstLine());
            int index = Enumerable.Range(0, QueueGeometry.ProcessTableCapacity).Single(i => region.Entry(i)->Pid != 0 && !before.Contains(i));
            // In its own namespace the peer is pid 1: the table shows the pid it knows itself by, for display only.
            Assert.Equal(1, region.Entry(index)->Pid);
            entry = region.Entry(index);
            return peer;
        }
        catch
        {
            // The caller's using never gets the peer: end it here.
            peer.Dispose();
            throw;
        }
    }
}
