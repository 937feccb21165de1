using TypedIpc.Tests.Support;
using TypedIpc.TestPeer;

namespace TypedIpc.Tests;

/// <summary>Open, attach, mismatch, Dispose and Unlink.</summary>
public sealed class SharedQueueLifetimeTests : IDisposable
{
    private readonly TestQueueName _name = new("lifetime");

    public void Dispose() => _name.Dispose();

    [Fact]
    public void Open_creates_a_0600_file_under_dev_shm()
    {
        using var queue = SharedQueue<int>.Open(_name, maxsize: 3);

        Assert.True(File.Exists(_name.Path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_name.Path));
        Assert.Equal(_name.Value, queue.Name);
    }

    [Fact]
    public void Opening_with_another_message_type_throws_Mismatch_naming_both_types()
    {
        using var queue = SharedQueue<string>.Open(_name, maxsize: 3);
        queue.Put("kept");

        var error = Assert.Throws<QueueMismatchException>(() => SharedQueue<long>.Open(_name, maxsize: 3));

        Assert.Contains("System.String", error.Message);
        Assert.Contains("System.Int64", error.Message);
        Assert.Equal("kept", queue.GetNowait());
    }

    [Fact]
    public void Opening_with_another_maxsize_throws_Mismatch_naming_both_sizes_and_changes_nothing()
    {
        using var queue = SharedQueue<int>.Open(_name, maxsize: 3);
        queue.Put(1);

        var error = Assert.Throws<QueueMismatchException>(() => SharedQueue<int>.Open(_name, maxsize: 4));

        Assert.Contains("maxsize: created with 3, opened with 4", error.Message);
        AssertHoldsOnly(queue, 1);
    }

    [Fact]
    public void Opening_with_another_MaxMessageBytes_throws_Mismatch_naming_both_and_changes_nothing()
    {
        using var queue = SharedQueue<int>.Open(_name, maxsize: 3);
        queue.Put(1);

        var error = Assert.Throws<QueueMismatchException>(
            () => SharedQueue<int>.Open(_name, maxsize: 3, new QueueOptions { MaxMessageBytes = 128 }));

        Assert.Contains("MaxMessageBytes", error.Message);
        Assert.Contains($"{QueueOptions.DefaultMaxMessageBytes}", error.Message);
        Assert.Contains("128", error.Message);
        AssertHoldsOnly(queue, 1);
    }

    [Fact]
    public void Opening_with_another_CapacityBytes_throws_Mismatch_and_changes_nothing()
    {
        using var queue = SharedQueue<int>.Open(_name, maxsize: 0, new QueueOptions { CapacityBytes = 1024 * 1024 });
        queue.Put(1);

        var error = Assert.Throws<QueueMismatchException>(
            () => SharedQueue<int>.Open(_name, maxsize: 0, new QueueOptions { CapacityBytes = 2 * 1024 * 1024 }));

        Assert.Contains("CapacityBytes", error.Message);
        AssertHoldsOnly(queue, 1);
    }

    [Fact]
    public void Opening_with_another_version_of_the_message_schema_throws_Mismatch_naming_both_fingerprints_and_changes_nothing()
    {
        using var queue = SharedQueue<SchemaVersion1.Payload>.Open(_name, maxsize: 3);
        queue.Put(new SchemaVersion1.Payload("/data/kept"));

        var error = Assert.Throws<QueueMismatchException>(() => SharedQueue<SchemaVersion2.Payload>.Open(_name, maxsize: 3));

        Assert.Contains("0x0000000000001111", error.Message);
        Assert.Contains("0x0000000000002222", error.Message);
        Assert.Contains("SchemaVersion2", error.Message);
        Assert.Equal("/data/kept", queue.GetNowait().Path);
        Assert.True(queue.IsEmpty);
    }

    [Fact]
    public void Oversize_message_throws_MessageTooLarge_with_size_and_limit_and_leaves_the_queue_intact()
    {
        using var queue = SharedQueue<string>.Open(_name, maxsize: 3, new QueueOptions { MaxMessageBytes = 64 });
        queue.Put("before");

        var error = Assert.Throws<MessageTooLargeException>(() => queue.Put(new string('x', 100)));

        Assert.Equal(64, error.MaxMessageBytes);
        Assert.True(error.MessageBytes > 64);
        Assert.Contains(error.MessageBytes.ToString("N0"), error.Message);
        Assert.Equal(1, queue.Count);
        Assert.Equal("before", queue.Get());
        Assert.True(queue.IsEmpty);
    }

    /// <summary>A byte[] of n bytes serializes to a 4-byte length and the n bytes: 60 bytes make exactly 64.</summary>
    [Fact]
    public void A_message_of_exactly_MaxMessageBytes_goes_in_and_one_byte_more_throws_and_leaves_the_queue_unchanged()
    {
        const int Limit = 64;
        using var queue = SharedQueue<byte[]>.Open(_name, maxsize: 3, new QueueOptions { MaxMessageBytes = Limit });
        byte[] exactlyAtTheLimit = Enumerable.Range(0, Limit - 4).Select(i => (byte)i).ToArray();
        queue.Put(exactlyAtTheLimit);

        var error = Assert.Throws<MessageTooLargeException>(() => queue.Put(new byte[Limit - 4 + 1]));

        Assert.Equal(Limit + 1, error.MessageBytes);
        Assert.Equal(Limit, error.MaxMessageBytes);
        Assert.Contains("The queue is unchanged", error.Message);
        Assert.Equal(1, queue.Count);
        Assert.Equal(exactlyAtTheLimit, queue.Get());
        Assert.True(queue.IsEmpty);
    }

    /// <summary>An unmanaged struct is its raw bytes, copied without a serializer: the limit holds for it all the same.</summary>
    [Fact]
    public void An_unmanaged_struct_over_MaxMessageBytes_throws_MessageTooLarge_alone_and_in_a_batch_and_leaves_the_queue_unchanged()
    {
        int size = System.Runtime.CompilerServices.Unsafe.SizeOf<Numbered>();
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 3, new QueueOptions { MaxMessageBytes = size - 1 });

        var alone = Assert.Throws<MessageTooLargeException>(() => queue.Put(new Numbered(1, 1, 0)));
        var inBatch = Assert.Throws<MessageTooLargeException>(() => queue.PutMany([new Numbered(1, 2, 0), new Numbered(1, 3, 0)]));
        Assert.Throws<MessageTooLargeException>(() => queue.TryPut(new Numbered(1, 4, 0)));

        Assert.Equal((size, size - 1), (alone.MessageBytes, alone.MaxMessageBytes));
        Assert.Equal(size, inBatch.MessageBytes);
        Assert.True(queue.IsEmpty);
    }

    [Fact]
    public void Oversize_message_on_a_full_queue_throws_at_once_instead_of_blocking()
    {
        using var queue = SharedQueue<string>.Open(_name, maxsize: 1, new QueueOptions { MaxMessageBytes = 64 });
        queue.Put("fills it");

        Assert.Throws<MessageTooLargeException>(() => queue.Put(new string('x', 100)));
        Assert.Equal("fills it", queue.Get());
        Assert.True(queue.IsEmpty);
    }

    /// <summary>
    /// A put that finds no room measures its message aside before it waits: the limit's exact boundary must hold on
    /// that path too, or a message one byte over it would wait for room and then go in.
    /// </summary>
    [Fact]
    public void A_message_one_byte_over_MaxMessageBytes_on_a_full_queue_throws_instead_of_waiting_and_leaves_the_queue_unchanged()
    {
        const int Limit = 64;
        using var queue = SharedQueue<byte[]>.Open(_name, maxsize: 1, new QueueOptions { MaxMessageBytes = Limit });
        byte[] filler = [1, 2, 3];
        queue.Put(filler);

        var put = BlockedCall<bool>.Start("Put of a message one byte over MaxMessageBytes on a full queue", () =>
        {
            queue.Put(new byte[Limit - 4 + 1]); // MemoryPack writes a byte[] as a 4-byte length and its bytes
            return true;
        });
        var error = put.Exception<MessageTooLargeException>();

        Assert.Equal(Limit + 1, error.MessageBytes);
        Assert.Equal(1, queue.Count);
        Assert.Equal(filler, queue.Get());
        Assert.True(queue.IsEmpty);
    }

    [Fact]
    public void Unlink_removes_the_name_but_attached_instances_keep_working()
    {
        using var attached = SharedQueue<int>.Open(_name, maxsize: 3);
        attached.Put(1);

        SharedQueue<int>.Unlink(_name);
        Assert.False(File.Exists(_name.Path));
        attached.Put(2);
        Assert.Equal(1, attached.Get());

        using var fresh = SharedQueue<int>.Open(_name, maxsize: 3);
        Assert.True(fresh.IsEmpty);
        Assert.Equal(2, attached.Get());
    }

    [Fact]
    public void Unlink_of_a_missing_queue_throws_NotFound_naming_it_and_removes_nothing()
    {
        // A queue whose name extends the missing one's: the one a careless prefix match would remove.
        string extended = $"{_name.Value}.other";
        try
        {
            using var other = SharedQueue<int>.Open(extended, maxsize: 3);

            var error = Assert.Throws<QueueNotFoundException>(() => SharedQueue<int>.Unlink(_name));

            Assert.Contains(_name.Value, error.Message);
            Assert.Contains(_name.Path, error.Message);
            Assert.False(File.Exists(_name.Path));
            Assert.True(File.Exists($"/dev/shm/typedipc.{extended}"));
        }
        finally
        {
            File.Delete($"/dev/shm/typedipc.{extended}");
        }
    }

    [Fact]
    public void Calls_after_Dispose_throw_ObjectDisposed_and_Dispose_twice_is_harmless_while_the_queue_lives_on()
    {
        using var other = SharedQueue<int>.Open(_name, maxsize: 3);
        var queue = SharedQueue<int>.Open(_name, maxsize: 3);
        queue.Put(1);
        queue.Dispose();
        queue.Dispose();

        Assert.Throws<ObjectDisposedException>(() => queue.Put(1));
        Assert.Throws<ObjectDisposedException>(() => queue.Get());
        Assert.Throws<ObjectDisposedException>(() => queue.Count);
        Assert.True(File.Exists(_name.Path));
        other.Put(2);
        Assert.Equal([1, 2], [other.GetNowait(), other.GetNowait()]);
    }

    [Fact]
    public void Dispose_ends_a_Get_blocked_in_another_thread_with_ObjectDisposed_and_takes_nothing()
    {
        var queue = SharedQueue<int>.Open(_name, maxsize: 3);
        var get = BlockedCall<int>.Start("Get on an empty queue", () => queue.Get()).WaitUntilAsleepIn(_name.Path);

        DisposeWithin30Seconds(queue);

        get.Exception<ObjectDisposedException>();
        using var reopened = SharedQueue<int>.Open(_name, maxsize: 3);
        Assert.True(reopened.IsEmpty);
    }

    [Fact]
    public void Dispose_ends_a_Put_blocked_in_another_thread_with_ObjectDisposed_and_puts_nothing()
    {
        var queue = SharedQueue<int>.Open(_name, maxsize: 1);
        queue.Put(1);
        var put = BlockedCall<bool>.Start("Put on a full queue", () =>
        {
            queue.Put(2);
            return true;
        }).WaitUntilAsleepIn(_name.Path);

        DisposeWithin30Seconds(queue);

        put.Exception<ObjectDisposedException>();
        using var reopened = SharedQueue<int>.Open(_name, maxsize: 1);
        AssertHoldsOnly(reopened, 1);
    }

    [Fact]
    public void Dispose_frees_the_process_table_entry()
    {
        using var view = SharedQueue<int>.Open(_name, maxsize: 3);
        using var region = new RegionView(_name);
        int entries = CountEntries(region);

        SharedQueue<int>.Open(_name, maxsize: 3).Dispose();

        Assert.Equal(entries, CountEntries(region));
    }

    private static unsafe int CountEntries(RegionView region)
    {
        int count = 0;
        for (int i = 0; i < TypedIpc.Internal.QueueGeometry.ProcessTableCapacity; i++)
        {
            count += region.Entry(i)->Pid != 0 ? 1 : 0;
        }

        return count;
    }

    // Dispose waits for the calls it ends; if it could not end one, Dispose itself would never return.
    private static void DisposeWithin30Seconds(SharedQueue<int> queue) =>
        Watchdog.Run("Dispose of a queue with a call blocked in another thread", TimeSpan.FromSeconds(30), queue.Dispose);

    private static void AssertHoldsOnly(SharedQueue<int> queue, int item)
    {
        Assert.Equal(1, queue.Count);
        Assert.Equal(item, queue.GetNowait());
        Assert.True(queue.IsEmpty);
    }
}
