using TypedIpc.Internal;
using TypedIpc.Platform.Linux;
using TypedIpc.Tests.Support;

namespace TypedIpc.Tests;

/// <summary>
/// The bad-input matrix of docs/reliability.md (rows not already covered by SharedQueueArgumentTests and
/// SharedQueueLifetimeTests): each input gets a specific exception that says what was wrong and what to do,
/// and nothing already in the queue is lost or damaged.
/// </summary>
public sealed class BadInputMatrixTests : IDisposable
{
    private const string UnlinkAdvice = "Unlink";
    private readonly TestQueueName _name = new("bad-input");

    public void Dispose() => _name.Dispose();

    [Fact]
    public void A_zero_length_file_at_the_path_is_refused_as_corrupted_and_left_alone()
    {
        File.Create(_name.Path).Dispose();

        var error = Assert.Throws<QueueCorruptedException>(() => SharedQueue<long>.Open(_name, maxsize: 4));

        Assert.Contains("has 0 bytes, fewer than a queue header", error.Message);
        Assert.Contains(UnlinkAdvice, error.Message);
        Assert.Equal(0, new FileInfo(_name.Path).Length);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(QueueHeader.Bytes + 100)]
    public void A_truncated_region_file_is_refused_as_corrupted_and_works_again_after_Unlink(int truncatedBytes)
    {
        SharedQueue<long>.Open(_name, maxsize: 4).Dispose();
        using (var file = File.Open(_name.Path, FileMode.Open))
        {
            file.SetLength(truncatedBytes);
        }

        var error = Assert.Throws<QueueCorruptedException>(() => SharedQueue<long>.Open(_name, maxsize: 4));

        Assert.Contains($"{truncatedBytes:N0}", error.Message);
        Assert.Contains(UnlinkAdvice, error.Message);
        SharedQueue<long>.Unlink(_name);
        using var fresh = SharedQueue<long>.Open(_name, maxsize: 4);
        fresh.Put(1);
        Assert.Equal(1, fresh.Get());
    }

    [Fact]
    public unsafe void A_region_with_a_wrong_magic_is_refused_as_corrupted_and_the_open_queue_keeps_its_items()
    {
        using var queue = SharedQueue<long>.Open(_name, maxsize: 4);
        queue.Put(7);
        using (var region = new RegionView(_name))
        {
            region.Header->Magic = 0x5551455551544F4E; // "NOTQUEUE"
        }

        var error = Assert.Throws<QueueCorruptedException>(() => SharedQueue<long>.Open(_name, maxsize: 4));

        Assert.Contains("wrong magic number 0x5551455551544F4E", error.Message);
        Assert.Contains(UnlinkAdvice, error.Message);
        Assert.Equal(7, queue.GetNowait());
    }

    [Fact]
    public unsafe void A_region_of_another_layout_version_is_refused_as_a_mismatch_and_left_unchanged()
    {
        using var queue = SharedQueue<long>.Open(_name, maxsize: 4);
        queue.Put(7);
        using (var region = new RegionView(_name))
        {
            region.Header->LayoutVersion = QueueHeader.CurrentLayoutVersion + 1;
        }

        byte[] before = File.ReadAllBytes(_name.Path);

        var error = Assert.Throws<QueueMismatchException>(() => SharedQueue<long>.Open(_name, maxsize: 4));

        Assert.Contains($"layout version {QueueHeader.CurrentLayoutVersion + 1}", error.Message);
        Assert.Contains("same TypedIpc version in every process", error.Message);
        Assert.Equal(before, File.ReadAllBytes(_name.Path));
    }

    [Fact]
    public unsafe void A_header_whose_geometry_does_not_match_the_file_is_refused_as_corrupted_and_left_unchanged()
    {
        using var queue = SharedQueue<long>.Open(_name, maxsize: 4);
        using (var region = new RegionView(_name))
        {
            region.Header->SlotCount = int.MaxValue;
        }

        byte[] before = File.ReadAllBytes(_name.Path);

        var error = Assert.Throws<QueueCorruptedException>(() => SharedQueue<long>.Open(_name, maxsize: 4));

        Assert.Contains("does not describe its", error.Message);
        Assert.Contains(UnlinkAdvice, error.Message);
        Assert.Equal(before, File.ReadAllBytes(_name.Path));
    }

    [Theory]
    [InlineData((1 << 30) - 1)] // the largest length a slot's State holds
    [InlineData(1 << 20)]
    [InlineData(QueueOptions.DefaultMaxMessageBytes + 1)]
    public unsafe void A_slot_length_pointing_outside_the_slot_costs_that_message_only(int forgedLength)
    {
        using var queue = SharedQueue<long>.Open(_name, maxsize: 4);
        queue.Put(1);
        queue.Put(2);
        queue.Put(3);
        using (var region = new RegionView(_name))
        {
            region.ForgeRecordLength(0, forgedLength);
        }

        var error = Assert.Throws<MessageCorruptedException>(() => queue.Get());

        Assert.Contains($"claims {forgedLength} bytes", error.Message);
        Assert.Equal([2, 3], [queue.Get(), queue.Get()]);
        Assert.True(queue.IsEmpty);
    }

    [Fact]
    public unsafe void A_slot_holding_another_items_state_makes_Get_throw_corrupted_naming_the_slot_until_the_queue_is_recreated()
    {
        using var queue = SharedQueue<long>.Open(_name, maxsize: 4);
        queue.Put(1);
        using (var region = new RegionView(_name))
        {
            region.Slot(0)->State = Packing.SlotState(7, SlotPhase.Ready, Packing.Record(sizeof(long), inRing: false));
        }

        var error = Assert.Throws<QueueCorruptedException>(() => queue.Get(timeout: TimeSpan.FromSeconds(1)));

        Assert.Contains("the slot of item 0 holds the state of item 7 (Ready)", error.Message);
        Assert.Contains(UnlinkAdvice, error.Message);
        Assert.Throws<QueueCorruptedException>(() => queue.Get(timeout: TimeSpan.FromSeconds(1)));
        SharedQueue<long>.Unlink(_name);
        using var recreated = SharedQueue<long>.Open(_name, maxsize: 4);
        recreated.Put(3);
        Assert.Equal(3, recreated.Get());
    }

    [Fact]
    public void A_NaN_timeout_cannot_even_be_formed_as_a_TimeSpan()
    {
        Assert.Throws<ArgumentException>(() => TimeSpan.FromMilliseconds(double.NaN));
        Assert.Throws<OverflowException>(() => TimeSpan.FromMilliseconds(double.PositiveInfinity));
    }

    [Fact]
    public void A_negative_SpinDuration_is_refused()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(
            () => SharedQueue<long>.Open(_name, maxsize: 1, new QueueOptions { SpinDuration = TimeSpan.FromTicks(-1) }));

        Assert.Contains("SpinDuration", error.Message);
        Assert.False(File.Exists(_name.Path));
    }

    [Fact]
    public void A_CapacityBytes_beyond_the_largest_ring_is_refused()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(
            () => SharedQueue<long>.Open(_name, maxsize: 0, new QueueOptions { CapacityBytes = long.MaxValue }));

        Assert.Contains("QueueOptions.CapacityBytes must be 8,192 to 34,359,738,368 bytes", error.Message);
        Assert.False(File.Exists(_name.Path));
    }

    [Fact]
    public void A_null_name_throws_ArgumentNullException_and_removes_nothing()
    {
        using var existing = SharedQueue<long>.Open(_name, maxsize: 1);

        Assert.Throws<ArgumentNullException>(() => SharedQueue<long>.Open(null!));
        Assert.Throws<ArgumentNullException>(() => SharedQueue<long>.Unlink(null!));

        Assert.True(File.Exists(_name.Path));
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("a/b")]
    [InlineData("")]
    public void Unlink_validates_the_name_and_deletes_nothing_outside_the_queue_files(string name)
    {
        using var existing = SharedQueue<long>.Open(_name, maxsize: 1);

        var error = Assert.Throws<ArgumentException>(() => SharedQueue<long>.Unlink(name));

        Assert.Contains("A-Z, a-z, 0-9", error.Message);
        Assert.True(File.Exists(_name.Path));
        Assert.True(File.Exists("/etc/passwd"));
    }

    [Fact]
    public void A_name_of_exactly_200_characters_is_accepted_and_the_queue_works()
    {
        string name = $"{_name.Value}.{new string('x', 200 - _name.Value.Length - 1)}";
        try
        {
            using var queue = SharedQueue<long>.Open(name, maxsize: 1);

            Assert.Equal(200, queue.Name.Length);
            Assert.True(File.Exists($"/dev/shm/typedipc.{name}"));
            queue.Put(9);
            using var other = SharedQueue<long>.Open(name, maxsize: 1);
            Assert.Equal(9, other.GetNowait());
        }
        finally
        {
            File.Delete(SharedRegion.PathFor(name));
        }
    }

    [Fact]
    public void A_directory_at_the_path_is_refused_with_the_operating_system_reason_and_left_untouched()
    {
        Directory.CreateDirectory(_name.Path);
        try
        {
            var error = Assert.Throws<SharedMemoryException>(() => SharedQueue<long>.Open(_name, maxsize: 1));

            Assert.Contains("Is a directory", error.Message);
            Assert.True(Directory.Exists(_name.Path));
            Assert.Empty(Directory.EnumerateFileSystemEntries(_name.Path));
        }
        finally
        {
            Directory.Delete(_name.Path);
        }
    }

    [Fact]
    public void Nowait_and_Try_calls_after_Dispose_throw_ObjectDisposed_and_change_nothing()
    {
        using var other = SharedQueue<long>.Open(_name, maxsize: 1);
        var queue = SharedQueue<long>.Open(_name, maxsize: 1);
        queue.Put(1);
        queue.Dispose();

        Assert.Throws<ObjectDisposedException>(() => queue.PutNowait(1));
        Assert.Throws<ObjectDisposedException>(() => queue.GetNowait());
        Assert.Throws<ObjectDisposedException>(() => queue.TryPut(1));
        Assert.Throws<ObjectDisposedException>(() => queue.TryGet(out _));
        Assert.Throws<ObjectDisposedException>(() => queue.IsEmpty);
        Assert.Equal(1, other.Count);
        Assert.Equal(1, other.GetNowait());
    }

    [Fact]
    public void Dev_shm_too_small_at_creation_throws_SharedMemory_and_leaves_no_file()
    {
        // A region larger than the whole of /dev/shm: the creator's posix_fallocate fails with ENOSPC at once.
        var options = new QueueOptions { MaxMessageBytes = QueueOptions.MaxMaxMessageBytes };
        long stride = (long)QueueGeometry.LinesFor(options.MaxMessageBytes) * QueueGeometry.LineBytes;
        long devShmBytes = new DriveInfo(SharedRegion.Directory).TotalSize;
        Assert.True(devShmBytes > 0, "/dev/shm reports no size limit; this test needs a size-limited tmpfs.");
        int maxsize = (int)Math.Min(SharedQueue<long>.MaxMaxSize, devShmBytes / stride + 16);

        var error = Assert.Throws<SharedMemoryException>(() => SharedQueue<long>.Open(_name, maxsize, options));

        Assert.Contains("not enough space in /dev/shm", error.Message);
        Assert.Contains("lower maxsize", error.Message);
        Assert.False(File.Exists(_name.Path));
        Assert.Empty(Directory.EnumerateFiles(SharedRegion.Directory, $".typedipc.{_name.Value}.*"));
    }

    [Fact]
    public void A_full_process_table_of_live_processes_is_refused_with_advice()
    {
        using var queue = SharedQueue<long>.Open(_name, maxsize: 1);
        // Another open file holds the lock of every entry but the one this queue's thread has: the kernel says
        // all of them are alive.
        using var holder = File.Open(_name.Path, FileMode.Open, FileAccess.ReadWrite);
        var liveness = new OfdLockLiveness();
        for (int i = 0; i < QueueGeometry.ProcessTableCapacity; i++)
        {
            liveness.TryLock(holder.SafeFileHandle, i);
        }

        var error = Assert.Throws<SharedMemoryException>(() => SharedQueue<long>.Open(_name, maxsize: 1));

        Assert.Contains("1024 threads of live processes are attached", error.Message);
        Assert.Contains("Dispose queue instances you no longer use", error.Message);
        holder.Dispose();
        using var another = SharedQueue<long>.Open(_name, maxsize: 1);
        another.Put(1);
        Assert.Equal(1, queue.Get());
    }
}
