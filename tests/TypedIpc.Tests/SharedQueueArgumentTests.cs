using TypedIpc.Tests.Support;

namespace TypedIpc.Tests;

/// <summary>Bad arguments get a specific exception whose message says what to do, and change nothing.</summary>
public sealed class SharedQueueArgumentTests : IDisposable
{
    private readonly TestQueueName _name = new("arguments");

    public void Dispose() => _name.Dispose();

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("has/slash", "'/'")]
    [InlineData("has space", "U+0020")]
    [InlineData("nul\0inside", "U+0000")]
    [InlineData("..", "starts with '.'")]
    [InlineData("a..b", "contains '..'")]
    [InlineData(".hidden", "starts with '.'")]
    [InlineData("-dash", "starts with '-'")]
    [InlineData("ünïcode", "'ü'")]
    public void Invalid_names_throw_ArgumentException_saying_what_is_wrong_and_create_nothing(string name, string problem)
    {
        var error = Assert.Throws<ArgumentException>(() => SharedQueue<int>.Open(name));

        Assert.Contains(problem, error.Message);
        Assert.Contains("A-Z, a-z, 0-9", error.Message);
        Assert.False(Path.Exists($"/dev/shm/typedipc.{name}"));
    }

    [Fact]
    public void A_name_longer_than_200_characters_is_refused_and_creates_nothing()
    {
        string name = $"{_name.Value}.{new string('a', 201 - _name.Value.Length - 1)}";

        var error = Assert.Throws<ArgumentException>(() => SharedQueue<int>.Open(name));

        Assert.Contains("more than 200", error.Message);
        Assert.False(File.Exists($"/dev/shm/typedipc.{name}"));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    [InlineData(SharedQueue<int>.MaxMaxSize + 1)]
    public void Maxsize_out_of_range_throws_and_creates_nothing(int maxsize)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => SharedQueue<int>.Open(_name, maxsize));

        Assert.Contains("maxsize counts items", error.Message);
        Assert.False(File.Exists(_name.Path));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(QueueOptions.MaxMaxMessageBytes + 1)]
    public void MaxMessageBytes_out_of_range_throws_and_creates_nothing(int maxMessageBytes)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(
            () => SharedQueue<int>.Open(_name, 1, new QueueOptions { MaxMessageBytes = maxMessageBytes }));

        Assert.Contains("MaxMessageBytes must be 1 to 16,777,216", error.Message);
        Assert.Contains("put bigger data in a file", error.Message);
        Assert.False(File.Exists(_name.Path));
    }

    [Fact]
    public void CapacityBytes_smaller_than_one_slot_throws_with_the_usable_range_and_creates_nothing()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(
            () => SharedQueue<int>.Open(_name, 0, new QueueOptions { CapacityBytes = 10 }));

        Assert.Contains("CapacityBytes", error.Message);
        Assert.Matches(@"\d[\d,]* to \d[\d,]*", error.Message);
        Assert.False(File.Exists(_name.Path));
    }

    [Fact]
    public void Negative_timeouts_throw_ArgumentOutOfRange_and_leave_the_queue_as_it_was()
    {
        using var queue = SharedQueue<int>.Open(_name, maxsize: 1);
        queue.Put(1);

        Assert.Throws<ArgumentOutOfRangeException>(() => queue.Put(2, timeout: TimeSpan.FromMilliseconds(-5)));
        Assert.Throws<ArgumentOutOfRangeException>(() => queue.Get(timeout: TimeSpan.MinValue));
        Assert.Equal(1, queue.Count);
        Assert.Equal(1, queue.Get());
    }

    /// <summary>
    /// Every way of saying "no limit" must sleep until the other side acts; a call that treated it as "do not wait"
    /// (or as a short wait) would end before it is seen asleep in the kernel, or with Empty/Full.
    /// </summary>
    [Theory]
    [InlineData("Timeout.InfiniteTimeSpan")]
    [InlineData("-1 ms")]
    [InlineData("TimeSpan.MaxValue")]
    [InlineData("TimeSpan.MaxValue - 1 tick")]
    [InlineData("null")]
    public void Unlimited_timeouts_sleep_until_the_other_side_acts(string unlimited)
    {
        TimeSpan? timeout = unlimited switch
        {
            "Timeout.InfiniteTimeSpan" => Timeout.InfiniteTimeSpan,
            "-1 ms" => TimeSpan.FromMilliseconds(-1),
            "TimeSpan.MaxValue" => TimeSpan.MaxValue,
            "TimeSpan.MaxValue - 1 tick" => TimeSpan.MaxValue - TimeSpan.FromTicks(1),
            _ => null,
        };
        using var queue = SharedQueue<int>.Open(_name, maxsize: 1);

        var get = BlockedCall<int>.Start($"Get(timeout: {unlimited}) on an empty queue", () => queue.Get(timeout: timeout))
            .WaitUntilAsleepIn(_name.Path);
        queue.Put(1);
        Assert.Equal(1, get.Result());

        queue.Put(2);
        var put = BlockedCall<bool>.Start($"Put(timeout: {unlimited}) on a full queue", () => PutAndReturn(queue, 3, timeout))
            .WaitUntilAsleepIn(_name.Path);
        Assert.Equal(2, queue.Get());
        Assert.True(put.Result());
        Assert.Equal(3, queue.Get());
    }

    [Fact]
    public void Zero_timeout_behaves_like_a_non_blocking_call_and_leaves_the_queue_as_it_was()
    {
        using var queue = SharedQueue<int>.Open(_name, maxsize: 1);

        Assert.Throws<QueueEmptyException>(() => queue.Get(timeout: TimeSpan.Zero));
        Assert.True(queue.IsEmpty);
        queue.Put(1, timeout: TimeSpan.Zero);
        Assert.Throws<QueueFullException>(() => queue.Put(2, timeout: TimeSpan.Zero));
        Assert.Equal(1, queue.Count);
        Assert.Equal(1, queue.Get());
    }

    [Fact]
    public void A_message_that_does_not_deserialize_throws_MessageCorrupted_and_the_next_Get_works()
    {
        using var writer = SharedQueue<SchemaVersion1.Payload>.Open(_name, maxsize: 3);
        using (var region = new RegionView(_name))
        {
            unsafe
            {
                // Same fingerprint, incompatible bytes: a process that lied about its message type.
                region.Header->SchemaFingerprint = TypedIpc.Internal.SchemaFingerprint.Of(typeof(long));
            }
        }

        using var liar = SharedQueue<long>.Open(_name, maxsize: 3);
        liar.Put(5); // read as a Payload: an object header that announces 5 members instead of 1
        writer.Put(new SchemaVersion1.Payload("/data/next"));

        var error = Assert.Throws<MessageCorruptedException>(() => writer.Get());
        Assert.Contains("does not deserialize", error.Message);
        Assert.Equal("/data/next", writer.Get().Path);
    }

    private static bool PutAndReturn(SharedQueue<int> queue, int item, TimeSpan? timeout)
    {
        queue.Put(item, timeout: timeout);
        return true;
    }
}
