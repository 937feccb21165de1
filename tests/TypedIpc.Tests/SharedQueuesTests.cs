using System.Runtime.InteropServices;
using TypedIpc.Internal;
using TypedIpc.TestPeer;
using TypedIpc.Tests.Support;

namespace TypedIpc.Tests;

/// <summary>
/// SharedQueues read queues from outside: settings, contents, attached processes alive or dead by the kernel lock,
/// what each does, and dead owners' claims; hostile files at queue names give an error entry, never a hang.
/// </summary>
public sealed unsafe partial class SharedQueuesTests : IDisposable
{
    private static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(30);
    private readonly TestQueueName _name = new("inspect");

    public void Dispose() => _name.Dispose();

    [Fact]
    public void Inspect_counts_a_joinable_queues_unfinished_tasks_and_those_a_killed_consumer_abandoned_without_consuming_them()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 4, new QueueOptions { Joinable = true });
        queue.PutMany([new(1, 0, 0), new(1, 1, 0), new(1, 2, 0)]);
        queue.Get(); // held by this instance: one unfinished task out of the queue

        using (var consumer = PeerProcess.Start("joinable-take", _name, "4", "1", "0"))
        {
            Assert.Equal("holding 1", consumer.WaitForFirstLine());
            QueueInfo held = SharedQueues.Inspect(_name);
            Assert.True(held.IsJoinable);
            Assert.Equal((3L, 0L), (held.UnfinishedTasks, held.AbandonedTasks));
            consumer.Kill();
        }

        QueueInfo abandoned = SharedQueues.Inspect(_name);
        Assert.Equal((2L, 1L), (abandoned.UnfinishedTasks, abandoned.AbandonedTasks));
        Assert.Equal(1L, SharedQueues.Inspect(_name).AbandonedTasks); // looking consumed nothing

        using var plain = new TestQueueName("inspect-plain");
        using (SharedQueue<Numbered>.Open(plain, maxsize: 4))
        {
            QueueInfo info = SharedQueues.Inspect(plain);
            Assert.Equal((false, null, null), (info.IsJoinable, info.UnfinishedTasks, info.AbandonedTasks));
        }
    }

    [Fact]
    public void Inspect_shows_the_settings_the_contents_and_an_attached_process_alive_then_dead_once_killed()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 8);
        queue.Put(new Numbered(1, 0, 0));
        queue.Put(new Numbered(1, 1, 0));
        using var peer = PeerProcess.Start("hold", _name, "8");
        Assert.Equal("ready", peer.WaitForFirstLine());

        QueueInfo alive = SharedQueues.Inspect(_name);

        Assert.Null(alive.Error);
        Assert.Equal(_name.Value, alive.Name);
        Assert.Equal(_name.Path, alive.Path);
        Assert.Equal(SchemaFingerprint.NameOf(typeof(Numbered)), alive.TypeName);
        Assert.NotEqual(0UL, alive.SchemaFingerprint);
        Assert.Equal((8, 8, QueueOptions.DefaultMaxMessageBytes), (alive.MaxSize, alive.Capacity, alive.MaxMessageBytes));
        Assert.Equal((2, 2u, 0u), (alive.Count, alive.ItemsPut, alive.ItemsTaken));
        Assert.Equal((queue.BytesUsed, queue.BytesCapacity), (alive.BytesUsed, alive.BytesCapacity));
        Assert.Equal(0, alive.BytesReserved); // 24-byte records of a bounded queue live in their slots: no ring bytes
        Assert.False(alive.IsShutDown);
        Assert.Empty(alive.Claims);
        Assert.Equal(new QueueAttachment(Entry(alive, peer.Id).Entry, peer.Id, IsAlive: true, QueueActivity.Idle), Entry(alive, peer.Id));
        Assert.True(Entry(alive, Environment.ProcessId).IsAlive);

        peer.Kill();
        QueueInfo afterKill = SharedQueues.Inspect(_name);

        Assert.False(Entry(afterKill, peer.Id).IsAlive);
        Assert.True(Entry(afterKill, Environment.ProcessId).IsAlive);
        Assert.False(afterKill.IsAbandoned);
        QueueInfo listed = Assert.Single(SharedQueues.List(), q => q.Name == _name.Value);
        Assert.Equal(2, listed.Count);
        Assert.False(Entry(listed, peer.Id).IsAlive);
    }

    [Fact]
    public void Callers_blocked_in_get_and_in_put_are_shown_blocked()
    {
        using var empty = SharedQueue<Numbered>.Open(_name, maxsize: 1);
        using var fullName = new TestQueueName("inspect-full");
        using var full = SharedQueue<Numbered>.Open(fullName, maxsize: 1);
        full.Put(new Numbered(0, 0, 0));
        using var consumer = PeerProcess.Start("get-one", _name, "1");
        using var producer = PeerProcess.Start("produce", fullName, "1", "7", "1");
        consumer.WaitUntilAsleepIn(_name.Path);
        producer.WaitUntilAsleepIn(fullName.Path);

        Assert.Equal(QueueActivity.BlockedInGet, Entry(SharedQueues.Inspect(_name), consumer.Id).Activity);
        Assert.Equal(QueueActivity.BlockedInPut, Entry(SharedQueues.Inspect(fullName), producer.Id).Activity);

        empty.Put(new Numbered(3, 4, 0));
        Assert.Equal(0, full.Get().Producer);
        Assert.Equal("got 3 4", consumer.WaitForSuccess().Trim());
        producer.WaitForSuccess();
    }

    [Fact]
    public void A_killed_readers_taken_item_is_a_claim_of_a_live_owner_then_a_dead_claim_and_reading_changes_nothing()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 2);
        using var region = new RegionView(_name);
        queue.Put(new Numbered(1, 0, 0));
        using var reader = PeerProcess.Start("hold", _name, "2");
        Assert.Equal("ready", reader.WaitForFirstLine());
        int index = Assert.Single(region.EntriesOf(reader.Id));
        // What a reader killed between taking its item and releasing it leaves: Head past the item, still Ready, its intent set.
        uint head = region.TakeItemsFor(region.Entry(index), 1);

        QueueInfo held = SharedQueues.Inspect(_name);

        Assert.Equal(new QueueClaim(QueueClaimKind.TakenItems, head, 1, index, reader.Id, OwnerAlive: true), Assert.Single(held.Claims));
        Assert.Empty(held.DeadClaims);
        Assert.Equal(QueueActivity.Getting, Entry(held, reader.Id).Activity);

        reader.Kill();
        byte[] before = File.ReadAllBytes(_name.Path);
        QueueInfo dead = SharedQueues.Inspect(_name);
        SharedQueues.List();

        Assert.Equal(before, File.ReadAllBytes(_name.Path));
        Assert.Equal(new QueueClaim(QueueClaimKind.TakenItems, head, 1, index, reader.Id, OwnerAlive: false), Assert.Single(dead.DeadClaims));
        Assert.Equal(0, dead.Count);
        Assert.Equal(0, dead.BytesUsed); // the taken record is in its slot, which stays held until recovery
        // Recovery is left to the queue's own callers: a put that needs the room recovers it.
        queue.Put(new Numbered(1, 1, 0));
        queue.Put(new Numbered(1, 2, 0), timeout: TimeSpan.FromSeconds(10));
        Assert.Empty(SharedQueues.Inspect(_name).Claims);
    }

    [Fact]
    public void Items_taken_by_two_readers_are_two_claims_and_only_the_killed_readers_claim_is_dead()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 4);
        using var region = new RegionView(_name);
        queue.PutMany([new Numbered(1, 0, 0), new Numbered(1, 1, 0), new Numbered(1, 2, 0)]);
        using var killed = PeerProcess.Start("hold", _name, "4");
        using var running = PeerProcess.Start("hold", _name, "4");
        Assert.Equal("ready", killed.WaitForFirstLine());
        Assert.Equal("ready", running.WaitForFirstLine());
        int killedEntry = Assert.Single(region.EntriesOf(killed.Id));
        int runningEntry = Assert.Single(region.EntriesOf(running.Id));
        // One reader took a batch of the first two items, the other the third; neither released them.
        uint head = region.TakeItemsFor(region.Entry(killedEntry), 2);
        region.TakeItemsFor(region.Entry(runningEntry), 1);

        killed.Kill();
        QueueInfo info = SharedQueues.Inspect(_name);

        Assert.Equal(
            [
                new QueueClaim(QueueClaimKind.TakenItems, head, 2, killedEntry, killed.Id, OwnerAlive: false),
                new QueueClaim(QueueClaimKind.TakenItems, head + 2, 1, runningEntry, running.Id, OwnerAlive: true),
            ],
            info.Claims);
        Assert.Equal(QueueActivity.Getting, Entry(info, running.Id).Activity);
        Assert.Equal(0, info.BytesUsed); // inline records: the held items take slots, not ring bytes
    }

    [Fact]
    public void A_producer_killed_holding_the_tail_is_shown_as_a_dead_tail_claim()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 2);
        using var region = new RegionView(_name);
        using var producer = PeerProcess.Start("hold", _name, "2");
        Assert.Equal("ready", producer.WaitForFirstLine());
        int index = Assert.Single(region.EntriesOf(producer.Id));
        ulong tail = region.LockTailFor(region.Entry(index));

        Assert.Equal(QueueActivity.Putting, Entry(SharedQueues.Inspect(_name), producer.Id).Activity);
        producer.Kill();

        QueueClaim claim = Assert.Single(SharedQueues.Inspect(_name).DeadClaims);
        Assert.Equal(new QueueClaim(QueueClaimKind.Tail, Packing.ItemsOf(tail), 0, index, producer.Id, OwnerAlive: false), claim);
        Assert.Equal(Packing.Locked(tail), region.Header->Tail);
    }

    [Fact]
    public void A_shut_down_queue_is_shown_shut_down()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 2);
        queue.Shutdown();

        Assert.True(SharedQueues.Inspect(_name).IsShutDown);
    }

    [Fact]
    public void Inspect_of_a_missing_queue_throws_QueueNotFoundException_and_of_a_bad_name_ArgumentException()
    {
        Assert.Contains("there is no queue named", Assert.Throws<QueueNotFoundException>(() => SharedQueues.Inspect(_name)).Message);
        Assert.Throws<ArgumentException>(() => SharedQueues.Inspect("../etc/passwd"));
        Assert.DoesNotContain(SharedQueues.List(), q => q.Name == _name.Value);
    }

    public static TheoryData<string> HostileFiles => ["fifo", "symlink", "directory", "truncated", "foreign-magic", "shrunk-region"];

    [Theory]
    [MemberData(nameof(HostileFiles))]
    public void A_hostile_file_at_a_queue_name_is_an_error_entry_in_List_and_an_exception_from_Inspect_never_a_hang(string kind)
    {
        using var target = new TestQueueName("inspect-target");
        try
        {
            string expected = Plant(kind, target);

            Watchdog.Run($"List and Inspect of a {kind} at a queue name", HangLimit, () =>
            {
                QueueInfo entry = Assert.Single(SharedQueues.List(), q => q.Name == _name.Value);
                Assert.Contains(expected, entry.Error);
                Assert.Empty(entry.Attached);
                Assert.False(entry.IsAbandoned);
                var error = Assert.ThrowsAny<TypedIpcException>(() => SharedQueues.Inspect(_name));
                Assert.IsNotType<QueueNotFoundException>(error);
                Assert.Contains(expected, error.Message);
            });
            Assert.Empty(SharedQueues.Purge(includeNonEmpty: true, namePrefix: _name.Value).RemovedQueues);
        }
        finally
        {
            if (Directory.Exists(_name.Path))
            {
                Directory.Delete(_name.Path);
            }
        }
    }

    [Fact]
    public void NeedsRoot_another_users_queue_is_an_error_entry()
    {
        Assert.True(GetEffectiveUserId() == 0,
            "NeedsRoot: this test gives a queue file to another user (chown), which needs root. Run the tests as root (CI does), " +
            "or leave it out explicitly with --filter \"FullyQualifiedName!~NeedsRoot\".");
        SharedQueue<Numbered>.Open(_name, maxsize: 1).Dispose();
        const uint nobody = 65534;
        Assert.Equal(0, Chown(_name.Path, nobody, nobody));

        QueueInfo entry = Assert.Single(SharedQueues.List(), q => q.Name == _name.Value);

        Assert.Contains($"belongs to user id {nobody}", entry.Error);
        Assert.Contains($"belongs to user id {nobody}", Assert.Throws<SharedMemoryException>(() => SharedQueues.Inspect(_name)).Message);
    }

    [Fact]
    public void Purge_removes_an_abandoned_queue_keeps_a_live_one_and_a_non_empty_one_unless_asked_and_a_dry_run_removes_nothing()
    {
        using var queues = new PurgeCandidates("purge", items: 2);

        PurgeResult dryRun = SharedQueues.Purge(dryRun: true, namePrefix: queues.Prefix);

        Assert.True(dryRun.DryRun);
        Assert.Equal([queues.Dead.Value], dryRun.RemovedQueues.Select(q => q.Name));
        Assert.Equal([queues.HoldingItems.Value], dryRun.KeptNonEmptyQueues.Select(q => q.Name));
        Assert.Empty(dryRun.RemovedBlobs);
        Assert.True(File.Exists(queues.Dead.Path) && File.Exists(queues.HoldingItems.Path) && File.Exists(queues.Live.Path));

        PurgeResult purged = SharedQueues.Purge(namePrefix: queues.Prefix);

        Assert.Equal([queues.Dead.Value], purged.RemovedQueues.Select(q => q.Name));
        Assert.False(File.Exists(queues.Dead.Path));
        Assert.True(File.Exists(queues.HoldingItems.Path) && File.Exists(queues.Live.Path));

        PurgeResult withItems = SharedQueues.Purge(includeNonEmpty: true, namePrefix: queues.Prefix);

        QueueInfo removed = Assert.Single(withItems.RemovedQueues);
        Assert.Equal((queues.HoldingItems.Value, 2), (removed.Name, removed.Count));
        Assert.False(File.Exists(queues.HoldingItems.Path));
        Assert.True(File.Exists(queues.Live.Path));
    }

    [Fact]
    public void Unlink_removes_a_queue_of_any_type_and_a_missing_one_throws_QueueNotFoundException()
    {
        SharedQueue<Numbered>.Open(_name, maxsize: 1).Dispose();

        SharedQueues.Unlink(_name);

        Assert.False(File.Exists(_name.Path));
        Assert.Throws<QueueNotFoundException>(() => SharedQueues.Unlink(_name));
    }

    private static QueueAttachment Entry(QueueInfo queue, int pid) => Assert.Single(queue.Attached, a => a.Pid == pid);

    /// <summary>Puts a hostile file at the test's queue name; returns what the error must say.</summary>
    private string Plant(string kind, TestQueueName target)
    {
        switch (kind)
        {
            case "fifo":
                Assert.Equal(0, MakeFifo(_name.Path, 0b110_000_000));
                return "is not a regular file";
            case "symlink":
                SharedQueue<Numbered>.Open(target, maxsize: 1).Dispose();
                File.CreateSymbolicLink(_name.Path, target.Path);
                return "is a symbolic link";
            case "directory":
                Directory.CreateDirectory(_name.Path);
                return "is not a regular file";
            case "truncated":
                File.WriteAllBytes(_name.Path, new byte[100]);
                return "fewer than a queue header";
            case "foreign-magic":
                File.WriteAllBytes(_name.Path, Enumerable.Repeat((byte)'A', 4096).ToArray());
                return "wrong magic number";
            default:
                // A real queue's header over a file cut to half its size: reading its records would run off the end.
                SharedQueue<Numbered>.Open(_name, maxsize: 64).Dispose();
                using (var file = new FileStream(_name.Path, FileMode.Open))
                {
                    file.SetLength(file.Length / 2);
                }

                return "does not describe its";
        }
    }

    [LibraryImport("libc", EntryPoint = "mkfifo", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MakeFifo(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Chown(string path, uint owner, uint group);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();
}
