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
    public void Invalid_names_throw_ArgumentException_saying_what_is_wrong(string name, string problem)
    {
        var error = Assert.Throws<ArgumentException>(() => SharedQueue<int>.Open(name));

        Assert.Contains(problem, error.Message);
        Assert.Contains("A-Z, a-z, 0-9", error.Message);
    }

    [Fact]
    public void A_name_longer_than_200_characters_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => SharedQueue<int>.Open(new string('a', 201)));

        Assert.Contains("more than 200", error.Message);
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
    public void MaxMessageBytes_out_of_range_throws(int maxMessageBytes)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(
            () => SharedQueue<int>.Open(_name, 1, new QueueOptions { MaxMessageBytes = maxMessageBytes }));

        Assert.Contains("MaxMessageBytes", error.Message);
    }

    [Fact]
    public void CapacityBytes_smaller_than_one_slot_throws()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(
            () => SharedQueue<int>.Open(_name, 0, new QueueOptions { CapacityBytes = 10 }));

        Assert.Contains("CapacityBytes", error.Message);
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

    [Fact]
    public void InfiniteTimeSpan_and_TimeSpan_MaxValue_mean_wait_without_limit()
    {
        using var queue = SharedQueue<int>.Open(_name, maxsize: 1);

        queue.Put(1, timeout: Timeout.InfiniteTimeSpan);
        Assert.Equal(1, queue.Get(timeout: TimeSpan.MaxValue));
        queue.Put(2, timeout: TimeSpan.MaxValue);
        Assert.Equal(2, queue.Get(timeout: Timeout.InfiniteTimeSpan));
    }

    [Fact]
    public void Zero_timeout_behaves_like_a_non_blocking_call()
    {
        using var queue = SharedQueue<int>.Open(_name, maxsize: 1);

        Assert.Throws<QueueEmptyException>(() => queue.Get(timeout: TimeSpan.Zero));
        queue.Put(1, timeout: TimeSpan.Zero);
        Assert.Throws<QueueFullException>(() => queue.Put(2, timeout: TimeSpan.Zero));
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
}
