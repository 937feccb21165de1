using MemoryPack;
using TypedIpc.Internal;
using TypedIpc.Tests.Support;
using TypedIpc.TestPeer;

namespace TypedIpc.Tests;

/// <summary>PutMany and GetMany: all or a counted prefix, in order, waiting as Put and Get do.</summary>
public sealed class SharedQueueBatchTests : IDisposable
{
    private readonly TestQueueName _name = new("batch");

    public void Dispose() => _name.Dispose();

    [Fact]
    public void PutMany_and_GetMany_keep_the_order_of_every_item()
    {
        using var queue = SharedQueue<long>.Open(_name, maxsize: 100);
        long[] items = Enumerable.Range(0, 100).Select(i => (long)i).ToArray();

        queue.PutMany(items);

        var received = new List<long>();
        var buffer = new long[32];
        while (received.Count < items.Length)
        {
            int count = queue.GetMany(buffer, timeout: TimeSpan.FromSeconds(10));
            Assert.InRange(count, 1, buffer.Length);
            received.AddRange(buffer[..count]);
        }

        Assert.Equal(items, received);
        Assert.True(queue.IsEmpty);
    }

    [Fact]
    public void GetMany_takes_what_is_ready_up_to_the_destination_length()
    {
        using var queue = SharedQueue<long>.Open(_name, maxsize: 10);
        queue.PutMany([1, 2, 3]);

        var buffer = new long[10];
        Assert.Equal(3, queue.GetMany(buffer));
        Assert.Equal([1, 2, 3], buffer[..3]);

        queue.PutMany([4, 5, 6]);
        Assert.Equal(2, queue.GetMany(buffer.AsSpan(0, 2)));
        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public void GetMany_waits_for_the_first_item_and_throws_Empty_after_its_timeout()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 10);
        var buffer = new Numbered[4];

        Assert.Throws<QueueEmptyException>(() => queue.GetMany(buffer, timeout: TimeSpan.FromMilliseconds(50)));
        Assert.Throws<QueueEmptyException>(() => queue.GetMany(buffer, block: false));

        using var producer = PeerProcess.Start("produce", _name, "10", "1", "3");
        int count = queue.GetMany(buffer, timeout: TimeSpan.FromSeconds(60));

        Assert.InRange(count, 1, 3);
        Assert.Equal(Enumerable.Range(0, count).Select(i => (long)i), buffer[..count].Select(item => item.Sequence));
        producer.WaitForSuccess();
    }

    [Fact]
    public void PutMany_that_times_out_puts_a_prefix_and_says_how_many()
    {
        using var queue = SharedQueue<long>.Open(_name, maxsize: 5);

        var error = Assert.Throws<QueueFullException>(() => queue.PutMany([0, 1, 2, 3, 4, 5, 6, 7], timeout: TimeSpan.FromMilliseconds(50)));

        Assert.Equal(5, error.ItemsPut);
        Assert.Contains("5 of the 8 items went in", error.Message);
        Assert.Equal([0, 1, 2, 3, 4], Enumerable.Range(0, 5).Select(_ => queue.GetNowait()));
        Assert.True(queue.IsEmpty);
    }

    [Fact]
    public void PutMany_without_blocking_puts_what_fits_and_says_how_many()
    {
        using var queue = SharedQueue<long>.Open(_name, maxsize: 2);
        queue.Put(9);

        var error = Assert.Throws<QueueFullException>(() => queue.PutMany([0, 1, 2], block: false));

        Assert.Equal(1, error.ItemsPut);
        Assert.Equal([9, 0], [queue.GetNowait(), queue.GetNowait()]);
    }

    [Fact]
    public void PutMany_with_an_oversize_item_keeps_the_items_before_it_and_nothing_after()
    {
        using var queue = SharedQueue<string>.Open(_name, maxsize: 10, new QueueOptions { MaxMessageBytes = 64 });

        Assert.Throws<MessageTooLargeException>(() => queue.PutMany(["a", "b", new string('x', 100), "d"]));

        Assert.Equal(["a", "b"], [queue.GetNowait(), queue.GetNowait()]);
        Assert.True(queue.IsEmpty);
        queue.Put("after");
        Assert.Equal("after", queue.GetNowait());
    }

    [Fact]
    public async Task A_batch_put_publishes_its_records_together_not_one_by_one()
    {
        using var producer = SharedQueue<GatedMessage>.Open(_name, maxsize: 10);
        using var consumer = SharedQueue<GatedMessage>.Open(_name, maxsize: 10);
        using var gate = GatedMessage.HoldSerializingAt(3);

        Task put = Task.Run(() => producer.PutMany([new(0), new(1), new(2), new(3), new(4)]));
        Assert.True(gate.Reached.Wait(TimeSpan.FromSeconds(30)), "the producer never reached the fourth item");

        // Items 0 to 2 are written: a consumer that took them now would wait on each slot while the producer writes it.
        Assert.False(consumer.TryGet(out _));

        gate.Release();
        await put.WaitAsync(TimeSpan.FromSeconds(30));
        var received = new GatedMessage[5];
        Assert.Equal(5, consumer.GetMany(received, block: false));
        Assert.Equal([0, 1, 2, 3, 4], received.Select(message => message.Index));
    }

    [Fact]
    public void GetMany_needs_room_for_one_item()
    {
        using var queue = SharedQueue<long>.Open(_name, maxsize: 2);

        Assert.Throws<ArgumentException>(() => queue.GetMany(Span<long>.Empty));
    }

    [Fact]
    public void A_canceled_batch_put_keeps_its_prefix_and_says_how_many_in_the_exception_data()
    {
        using var queue = SharedQueue<long>.Open(_name, maxsize: 2);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        var error = Assert.ThrowsAny<OperationCanceledException>(() => queue.PutMany([0, 1, 2, 3], cancellationToken: cancellation.Token));

        Assert.Equal(2, error.Data[QueueProtocol.ItemsPutKey]);
        Assert.Equal([0, 1], [queue.GetNowait(), queue.GetNowait()]);
    }

    [Fact]
    public void A_canceled_get_takes_nothing()
    {
        using var queue = SharedQueue<long>.Open(_name, maxsize: 2);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        Assert.ThrowsAny<OperationCanceledException>(() => queue.Get(cancellationToken: cancellation.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => queue.GetMany(new long[2], cancellationToken: cancellation.Token));

        queue.PutMany([7, 8]);
        Assert.Equal([7, 8], [queue.GetNowait(), queue.GetNowait()]);
    }

    [Fact]
    public void Mixed_sizes_in_batches_cross_processes_in_FIFO_and_per_producer_order()
    {
        const int maxMessageBytes = 4096;
        const int perProducer = 5_000;
        string output1 = Path.GetTempFileName();
        string output2 = Path.GetTempFileName();
        var options = new QueueOptions { MaxMessageBytes = maxMessageBytes, CapacityBytes = 64 * 1024 };
        try
        {
            using var queue = SharedQueue<Sized>.Open(_name, 0, options);
            string[] shape = [_name, $"{maxMessageBytes}", $"{options.CapacityBytes}"];
            using var consumer1 = PeerProcess.Start(["sized-consume", .. shape, output1]);
            using var consumer2 = PeerProcess.Start(["sized-consume", .. shape, output2]);
            using var producer1 = PeerProcess.Start(["sized-produce", .. shape, "1", $"{perProducer}", "11"]);
            using var producer2 = PeerProcess.Start(["sized-produce", .. shape, "2", $"{perProducer}", "22"]);
            producer1.WaitForSuccess();
            producer2.WaitForSuccess();
            queue.PutMany([Sized.OfSize(-1, 0, 32), Sized.OfSize(-1, 1, 32)]);
            consumer1.WaitForSuccess();
            consumer2.WaitForSuccess();

            var seen = new Dictionary<int, List<long>> { [1] = [], [2] = [] };
            var sizes = new HashSet<int>();
            foreach (string output in (string[])[output1, output2])
            {
                var lastOfProducer = new Dictionary<int, long> { [1] = -1, [2] = -1 };
                using var reader = new BinaryReader(File.OpenRead(output));
                while (reader.BaseStream.Position < reader.BaseStream.Length)
                {
                    int producer = reader.ReadInt32();
                    long sequence = reader.ReadInt64();
                    sizes.Add(reader.ReadInt32() / 64);
                    Assert.True(sequence > lastOfProducer[producer], $"producer {producer}'s {sequence} came after {lastOfProducer[producer]} at one consumer");
                    lastOfProducer[producer] = sequence;
                    seen[producer].Add(sequence);
                }
            }

            foreach ((int producer, List<long> sequences) in seen)
            {
                sequences.Sort();
                Assert.Equal(Enumerable.Range(0, perProducer).Select(i => (long)i), sequences);
            }

            Assert.True(sizes.Count > 60, $"only {sizes.Count} record sizes in lines went through; the test means to cover 1 to 64");
        }
        finally
        {
            File.Delete(output1);
            File.Delete(output2);
        }
    }
}

/// <summary>A message whose serialization can be held at one index, to look at a queue while a put is under way.</summary>
[MemoryPackable]
public sealed partial record GatedMessage(int Index)
{
    private static Gate? s_gate;

    /// <summary>Holds the serialization of the message with <paramref name="index"/> until the gate is released or disposed.</summary>
    public static Gate HoldSerializingAt(int index) => s_gate = new Gate(index);

    [MemoryPackOnSerializing]
    private void OnSerializing()
    {
        if (s_gate is { } gate && gate.Index == Index)
        {
            gate.Reached.Set();
            gate.Released.Wait();
        }
    }

    public sealed class Gate(int index) : IDisposable
    {
        public int Index { get; } = index;

        public ManualResetEventSlim Reached { get; } = new();

        public ManualResetEventSlim Released { get; } = new();

        public void Release() => Released.Set();

        public void Dispose()
        {
            s_gate = null;
            Released.Set();
        }
    }
}
