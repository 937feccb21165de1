using System.Diagnostics;
using System.Runtime.CompilerServices;
using TypedIpc.Internal;
using TypedIpc.Tests.Support;
using TypedIpc.TestPeer;
using Xunit.Abstractions;

namespace TypedIpc.Tests;

/// <summary>
/// Records of their real size in a byte ring: what a queue holds, where a record goes at the end of the ring, what
/// bounds a put (items or bytes), and what a producer killed mid-record costs.
/// </summary>
public sealed class RecordRingTests(ITestOutputHelper output) : IDisposable
{
    private readonly TestQueueName _name = new("records");

    public void Dispose() => _name.Dispose();

    [Fact]
    public void An_unbounded_queue_with_default_options_holds_at_least_50000_small_jobs()
    {
        using var queue = SharedQueue<Sized>.Open(_name);
        int held = 0;
        while (queue.TryPut(Sized.OfSize(1, held, 40)))
        {
            held++;
        }

        output.WriteLine($"held {held:N0} messages of 40 bytes in {queue.BytesCapacity:N0} bytes of records");
        Assert.True(held >= 50_000, $"held {held}");
        Assert.Equal(held, queue.Count);
        Assert.Equal(QueueOptions.DefaultCapacityBytes, queue.BytesCapacity);
        Assert.Equal(held * 64L, queue.BytesUsed);
        Assert.Equal(0, queue.GetNowait().Sequence);
        Assert.True(queue.TryPut(Sized.OfSize(1, held, 40)));
    }

    [Fact]
    public void A_queue_of_large_limits_holds_many_small_messages_and_still_a_message_at_its_limit()
    {
        const int mebibyte = 1024 * 1024;
        var options = new QueueOptions { MaxMessageBytes = mebibyte, CapacityBytes = 8 * mebibyte };
        using var queue = SharedQueue<Sized>.Open(_name, 0, options);
        for (int i = 0; i < 1_000; i++)
        {
            queue.PutNowait(Sized.OfSize(1, i, 100));
        }

        queue.PutNowait(Sized.OfSize(1, 1_000, mebibyte));

        Assert.Equal(1_001, queue.Count);
        Assert.True(queue.BytesCapacity - queue.BytesUsed < 8 * mebibyte - mebibyte);
        Assert.Equal(Enumerable.Range(0, 1_001).Select(i => (long)i), Enumerable.Range(0, 1_001).Select(_ => queue.GetNowait().Sequence));
    }

    [Theory]
    [InlineData(0)] // 16-byte slots: every record in the ring
    [InlineData(64)] // 128-byte slots: records up to 112 bytes inline, between ring records
    public void Records_wrap_at_every_alignment_without_splitting_or_losing_one(int maxsize)
    {
        // 16 lines of ring, records of 1 to 4 lines: every start line and every wrap distance comes up.
        var options = new QueueOptions { MaxMessageBytes = 256, CapacityBytes = 16 * 64, SpinDuration = TimeSpan.Zero };
        using var queue = SharedQueue<Sized>.Open(_name, maxsize, options);
        long sequence = 0;
        var random = new Random(7);
        for (int round = 0; round < 2_000; round++)
        {
            int burst = random.Next(1, 5);
            var sizes = new List<int>();
            for (int i = 0; i < burst; i++)
            {
                int size = random.Next(Sized.OverheadBytes, 257);
                if (!queue.TryPut(Sized.OfSize(1, sequence + i, size)))
                {
                    break;
                }

                sizes.Add(size);
            }

            foreach (int size in sizes)
            {
                Sized item = queue.GetNowait();
                Assert.Equal(sequence, item.Sequence);
                Assert.Equal(size, item.Payload.Length + Sized.OverheadBytes);
                Assert.All(item.Payload, b => Assert.Equal((byte)sequence, b));
                sequence++;
            }
        }

        Assert.True(queue.IsEmpty);
        Assert.Equal(0, queue.BytesUsed);
    }

    [Fact]
    public void Bytes_bound_a_put_when_CapacityBytes_is_lower_than_maxsize_needs()
    {
        var options = new QueueOptions { MaxMessageBytes = 1024, CapacityBytes = 4096 };
        using var queue = SharedQueue<Sized>.Open(_name, maxsize: 100, options);
        int held = 0;
        while (queue.TryPut(Sized.OfSize(1, held, 128)))
        {
            held++;
        }

        Assert.Equal(32, held); // 128-byte records (too big for a slot) take two lines each of the 64
        Assert.Equal(100, queue.Capacity);
        Assert.Throws<QueueFullException>(() => queue.Put(Sized.OfSize(1, held, 128), timeout: TimeSpan.FromMilliseconds(50)));
        Assert.Equal(0, queue.GetNowait().Sequence);
        queue.Put(Sized.OfSize(1, held, 128), timeout: TimeSpan.FromSeconds(10));
        Assert.Equal(32, queue.Count);
    }

    [Fact]
    public void Records_up_to_120_bytes_of_a_bounded_queue_live_in_their_slots_and_take_no_ring_bytes()
    {
        using var queue = SharedQueue<Sized>.Open(_name, maxsize: 8);
        queue.PutNowait(Sized.OfSize(1, 0, 120));
        Assert.Equal(0, queue.BytesUsed);
        queue.PutNowait(Sized.OfSize(1, 1, 121));
        Assert.Equal(128, queue.BytesUsed);
        queue.PutNowait(Sized.OfSize(1, 2, Sized.OverheadBytes));
        Assert.Equal(128, queue.BytesUsed);

        Assert.Equal([120, 121, Sized.OverheadBytes], Enumerable.Range(0, 3).Select(_ => queue.GetNowait().Payload.Length + Sized.OverheadBytes));
        Assert.Equal(0, queue.BytesUsed);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(40, true)] // MemoryPack asks for room for 3 bytes per char: more than the slot holds, yet the record fits it
    [InlineData(90, false)]
    [InlineData(1000, false)]
    public void A_message_lives_in_its_slot_exactly_when_its_bytes_fit_whatever_room_MemoryPack_asked_for(int chars, bool inSlot)
    {
        using var queue = SharedQueue<TutorialMessage>.Open(_name, maxsize: 4);
        TutorialMessage message = new TextMessage(new string('é', chars / 2) + new string('x', chars - chars / 2));
        int size = MemoryPack.MemoryPackSerializer.Serialize(message).Length;
        Assert.Equal(inSlot, size <= 120);
        queue.PutNowait(new TextMessage("before"));
        queue.PutNowait(message);
        queue.PutNowait(new TextMessage("after"));

        Assert.Equal(inSlot ? 0 : (size + 63) / 64 * 64, queue.BytesUsed);
        Assert.Equal([new TextMessage("before"), message, new TextMessage("after")], Enumerable.Range(0, 3).Select(_ => queue.GetNowait()));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(0)]
    public unsafe void A_scribbled_Tail_position_outside_the_ring_is_reported_and_nothing_is_written(int maxsize)
    {
        using var queue = SharedQueue<Sized>.Open(_name, maxsize);
        using var region = new RegionView(_name);
        queue.PutNowait(Sized.OfSize(1, 0, 40));
        uint positions = 2 * (uint)region.Geometry.DataLines;
        region.Header->Tail = Packing.Tail(1, positions + 3);

        var error = Assert.Throws<QueueCorruptedException>(() => queue.PutNowait(Sized.OfSize(1, 1, 40)));
        Assert.Contains("outside the ring", error.Message);
        Assert.Equal(0, queue.GetNowait().Sequence);
    }

    [Fact]
    public unsafe void An_unmanaged_struct_is_stored_as_the_bytes_MemoryPack_writes_for_it_and_read_back_equal()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 4);
        using var region = new RegionView(_name);
        var item = new Numbered(7, long.MaxValue - 3, -42);
        queue.PutNowait(item);

        byte[] expected = MemoryPack.MemoryPackSerializer.Serialize(item);
        Assert.Equal(expected.Length, region.RecordLengthOf(0));
        Assert.Equal(expected, new ReadOnlySpan<byte>((byte*)region.Slot(0) + Slot.InlineOffset, expected.Length).ToArray());
        Assert.Equal(item, queue.GetNowait());
    }

    [Fact]
    public unsafe void An_unbounded_queue_keeps_records_of_up_to_8_bytes_in_its_16_byte_slots()
    {
        using var queue = SharedQueue<long>.Open(_name, maxsize: 0);
        using var region = new RegionView(_name);
        queue.PutMany([-1, 2, long.MaxValue]);

        Assert.Equal(0, queue.BytesUsed);
        Assert.Equal(long.MaxValue, *(long*)((byte*)region.Slot(2) + Slot.InlineOffset));
        Assert.Equal(-1, queue.GetNowait());
        Assert.Equal([2, long.MaxValue], [queue.GetNowait(), queue.GetNowait()]);
    }

    [Fact]
    public unsafe void After_a_put_that_wrote_nothing_the_next_record_goes_to_the_ring_and_the_skipped_line_is_freed_with_it()
    {
        // A producer that locked the Tail and wrote nothing unlocks it one line on (a value the Tail never had). The
        // next record, small as it is, goes to the ring: its Start is what tells a walk the skipped line is free.
        using var queue = SharedQueue<Sized>.Open(_name, maxsize: 4);
        using var region = new RegionView(_name);
        queue.PutNowait(Sized.OfSize(1, 0, 40));
        Assert.Throws<MessageTooLargeException>(() => queue.PutNowait(Sized.OfSize(1, 1, QueueOptions.DefaultMaxMessageBytes + 1)));
        Assert.Equal(64, queue.BytesUsed);

        queue.PutNowait(Sized.OfSize(1, 2, 40));
        queue.PutNowait(Sized.OfSize(1, 3, 40));
        Assert.True(Packing.IsInRing(region.Slot(1)->State));
        Assert.False(Packing.IsInRing(region.Slot(2)->State));
        Assert.Equal(128, queue.BytesUsed);

        Assert.Equal([0, 2, 3], Enumerable.Range(0, 3).Select(_ => queue.GetNowait().Sequence));
        Assert.Equal(0, queue.BytesUsed);
    }

    /// <summary>Raw bytes too big for a slot's inline bytes (or on a queue whose slots carry no records) go to the ring.</summary>
    [Theory]
    [InlineData(8)]
    [InlineData(0)]
    public void An_unmanaged_struct_that_does_not_fit_its_slot_is_raw_bytes_in_the_ring_alone_and_in_batches(int maxsize)
    {
        using var queue = SharedQueue<Wide>.Open(_name, maxsize);
        Wide[] batch = [Wide.Of(1), Wide.Of(2), Wide.Of(3)];
        queue.Put(Wide.Of(0));
        queue.PutMany(batch);

        Assert.Equal(4 * Unsafe.SizeOf<Wide>(), queue.BytesUsed);
        Assert.Equal(Wide.Of(0), queue.Get());
        var got = new Wide[4];
        Assert.Equal(3, queue.GetMany(got));
        Assert.Equal(batch, got[..3]);
    }

    [Fact]
    public unsafe void An_unmanaged_message_whose_record_claims_another_length_is_reported_not_copied_as_raw_bytes()
    {
        using var queue = SharedQueue<long>.Open(_name, maxsize: 4);
        queue.PutNowait(1);
        queue.PutNowait(2);
        using (var region = new RegionView(_name))
        {
            region.ForgeRecordLength(0, sizeof(int));
        }

        var error = Assert.Throws<MessageCorruptedException>(() => queue.GetNowait());

        Assert.Contains("does not deserialize", error.Message);
        Assert.Equal(2, queue.GetNowait());
        Assert.True(queue.IsEmpty);
    }

    [Theory]
    [InlineData(121)] // one byte more than the slot holds
    [InlineData(4097)]
    [InlineData((1 << 30) - 1)] // the largest length a slot's State holds
    public unsafe void A_scribbled_length_of_an_inline_record_is_reported_and_the_next_get_works(int length)
    {
        using var queue = SharedQueue<Sized>.Open(_name, maxsize: 8);
        using var region = new RegionView(_name);
        queue.PutNowait(Sized.OfSize(1, 0, 40));
        queue.PutNowait(Sized.OfSize(1, 1, 40));
        region.ForgeRecordLength(0, length);

        Assert.Throws<MessageCorruptedException>(() => queue.GetNowait());
        Assert.Equal(1, queue.GetNowait().Sequence);
        queue.PutNowait(Sized.OfSize(1, 2, 40));
        Assert.Equal(2, queue.GetNowait().Sequence);
    }

    [Fact]
    public void A_scribbled_length_inside_a_batch_costs_that_record_only_and_its_lines_come_back_with_the_next()
    {
        // Released as an empty record in its slot, the damaged one's lines are freed by the next record in the ring.
        using var queue = SharedQueue<Sized>.Open(_name, maxsize: 8);
        using var region = new RegionView(_name);
        queue.PutMany([Sized.OfSize(1, 0, 200), Sized.OfSize(1, 1, 200), Sized.OfSize(1, 2, 200)]);
        region.ForgeRecordLength(1, QueueOptions.DefaultMaxMessageBytes + 1);

        var got = new Sized[3];
        var error = Assert.Throws<MessageCorruptedException>(() => queue.GetMany(got, block: false));

        Assert.Equal(2, error.ItemsDelivered);
        Assert.Equal([0, 2], got[..2].Select(message => message.Sequence));
        Assert.Equal(0, queue.BytesUsed);
        queue.PutNowait(Sized.OfSize(1, 3, 200));
        Assert.Equal(3, queue.GetNowait().Sequence);
        Assert.True(queue.IsEmpty);
    }

    [Fact]
    public void Items_bound_a_put_when_the_bytes_would_hold_more()
    {
        using var queue = SharedQueue<Sized>.Open(_name, maxsize: 3);
        for (int i = 0; i < 3; i++)
        {
            queue.PutNowait(Sized.OfSize(1, i, 20));
        }

        Assert.True(queue.BytesCapacity - queue.BytesUsed > 10_000);
        Assert.Throws<QueueFullException>(() => queue.PutNowait(Sized.OfSize(1, 3, 20)));
        Assert.True(queue.IsFull);
    }

    [Fact]
    public void A_bounded_queue_never_blocks_on_bytes_with_messages_at_its_limit()
    {
        var options = new QueueOptions { MaxMessageBytes = 1000 };
        using var queue = SharedQueue<Sized>.Open(_name, maxsize: 3, options);
        for (int round = 0; round < 50; round++)
        {
            while (queue.Count < 3)
            {
                queue.PutNowait(Sized.OfSize(1, round, round % 2 == 0 ? 1000 : Sized.OverheadBytes));
            }

            queue.GetNowait();
        }
    }

    [Theory]
    [InlineData(Sized.OverheadBytes)]
    [InlineData(112)] // the largest record in its slot
    [InlineData(113)] // the smallest in the ring
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(1000)]
    [InlineData(4096)]
    public unsafe void A_producer_killed_between_locking_the_tail_and_publishing_costs_only_its_record(int size)
    {
        using var queue = SharedQueue<Sized>.Open(_name, maxsize: 4);
        using var region = new RegionView(_name);
        queue.Put(Sized.OfSize(1, 0, size));
        using (var child = PeerProcess.Start("sized-hold", _name, "4"))
        {
            Assert.Equal("ready", child.WaitForFirstLine());
            ulong tail = region.LockTailAsIfHeldBy(child.Id);
            // What the dead producer had begun to write into its record: garbage nobody may read.
            byte* data = (byte*)region.Header + region.Geometry.DataOffset + (long)(Packing.TailPosition(tail) % (uint)region.Geometry.DataLines) * 64;
            new Span<byte>(data, Math.Min(size, 64)).Fill(0xEE);
            child.Kill();
        }

        var clock = Stopwatch.StartNew();
        queue.Put(Sized.OfSize(1, 1, size), timeout: TimeSpan.FromSeconds(10));
        // One liveness poll (50 ms) after the spin; 5 s (of the 10 s the Put may wait) leaves a loaded machine 100 polls.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"recovering took {clock.Elapsed}");
        Assert.Equal([0, 1], [queue.GetNowait().Sequence, queue.GetNowait().Sequence]);
        Assert.True(queue.IsEmpty);
    }

    [Fact]
    public void CapacityBytes_below_two_of_the_largest_messages_is_refused()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(
            () => SharedQueue<long>.Open(_name, 0, new QueueOptions { MaxMessageBytes = 4096, CapacityBytes = 4096 }));

        Assert.Contains("at least two messages of MaxMessageBytes", error.Message);
        Assert.False(File.Exists(_name.Path));
    }

    [Fact]
    public void Another_CapacityBytes_is_a_mismatch()
    {
        using var queue = SharedQueue<long>.Open(_name, 0, new QueueOptions { CapacityBytes = 1 << 20 });

        var error = Assert.Throws<QueueMismatchException>(() => SharedQueue<long>.Open(_name, 0, new QueueOptions { CapacityBytes = 1 << 21 }));

        Assert.Contains("capacity: created with 1,048,576 bytes, opened asking for 2,097,152", error.Message);
    }

    /// <summary>
    /// Docker's default: a 64 MB /dev/shm. Reproduced with a private mount namespace (unshare, needs root: CI is
    /// root; refused, the test fails) whose /dev/shm is a fresh 64 MB tmpfs; the child opens default unbounded
    /// queues until the tmpfs is full.
    /// </summary>
    [Fact]
    public void NeedsRoot_a_64_MB_dev_shm_holds_at_least_ten_default_unbounded_queues()
    {
        string peer = typeof(Numbered).Assembly.Location;
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
        var start = new ProcessStartInfo("unshare")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in (string[])["--mount", "--propagation", "private", "sh", "-c",
                     $"mount -t tmpfs -o size=64m tmpfs /dev/shm && exec \"{host}\" \"{peer}\" fill-shm {_name.Value}"])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        string stdout = process.StandardOutput.ReadToEnd();
        string stderr = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "the child did not finish");
        Assert.True(process.ExitCode == 0,
            $"unshare --mount with a 64 MB tmpfs over /dev/shm failed ({process.ExitCode}): {stderr}. This test needs root " +
            "(CI runs as root); it does not skip.");
        int opened = int.Parse(stdout.Trim().Split(' ')[1]);
        output.WriteLine($"default unbounded queues in a 64 MB /dev/shm: {opened}");
        Assert.True(opened >= 10, $"only {opened} queues fit");
    }
}

/// <summary>An unmanaged message of 256 bytes, more than the 112 a slot carries inline; every long holds its sequence.</summary>
public readonly record struct Wide(long Sequence, Wide.Longs Rest)
{
    public static Wide Of(long sequence)
    {
        var rest = default(Longs);
        ((Span<long>)rest).Fill(sequence);
        return new Wide(sequence, rest);
    }

    // An InlineArray has no built-in equality: compare every long.
    public bool Equals(Wide other) => Values().SequenceEqual(other.Values());

    public override int GetHashCode() => Sequence.GetHashCode();

    private long[] Values()
    {
        Longs rest = Rest;
        return [Sequence, .. (ReadOnlySpan<long>)rest];
    }

    [InlineArray(31)]
    public struct Longs
    {
        private long _element;
    }
}
