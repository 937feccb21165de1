using System.IO.Hashing;
using MemoryPack;
using TypedIpc.Blobs;
using TypedIpc.TestPeer;

namespace TypedIpc.Tests.Blobs;

[Collection(BlobCleanup.SweepingTests)]
public sealed class SharedBlobTests : IDisposable
{
    private readonly BlobCleanup _blobs = new();

    public void Dispose() => _blobs.Dispose();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5 * 1024 * 1024 + 3)]
    public void Write_then_Open_returns_the_same_bytes(int length)
    {
        byte[] data = BlobRoles.Pattern(length);
        BlobRef blob = _blobs.Track(SharedBlob.Write(data));

        using SharedBlob opened = blob.Open();

        Assert.Equal(length, blob.Length);
        Assert.Equal(length, opened.Length);
        Assert.True(opened.Span.SequenceEqual(data));
    }

    [Fact]
    public void Write_of_a_stream_that_cannot_seek_stores_the_rest_of_the_stream()
    {
        byte[] data = BlobRoles.Pattern(3 * 1024 * 1024 + 17);
        using var stream = new ForwardOnlyStream(data, start: 100);

        BlobRef blob = _blobs.Track(SharedBlob.Write(stream));

        using SharedBlob opened = blob.Open();
        Assert.True(opened.Span.SequenceEqual(data.AsSpan(100)));
        Assert.Equal(XxHash3.HashToUInt64(data.AsSpan(100)), blob.Checksum);
    }

    [Fact]
    public void AsStream_reads_the_bytes_and_is_disposed_with_the_blob()
    {
        byte[] data = BlobRoles.Pattern(70_000);
        BlobRef blob = _blobs.Track(SharedBlob.Write(data));
        SharedBlob opened = blob.Open();
        Stream stream = opened.AsStream();
        var copy = new MemoryStream();

        stream.CopyTo(copy);
        opened.Dispose();

        Assert.Equal(data, copy.ToArray());
        Assert.Throws<ObjectDisposedException>(() => stream.ReadByte());
        Assert.Throws<ObjectDisposedException>(() => opened.Span.Length);
        Assert.Throws<ObjectDisposedException>(() => opened.AsStream());
    }

    [Fact]
    public void The_blob_file_is_private_to_its_user_and_the_reference_is_a_small_message()
    {
        BlobRef blob = _blobs.Track(SharedBlob.Write(BlobRoles.Pattern(4096)));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(BlobFile.PathFor(blob.Name)));
        byte[] message = MemoryPackSerializer.Serialize(blob);
        Assert.InRange(message.Length, 1, 64);
        Assert.Equal(blob, MemoryPackSerializer.Deserialize<BlobRef>(message));
    }

    [Fact]
    public void Open_consumes_the_blob_and_Dispose_removes_its_file()
    {
        BlobRef blob = _blobs.Track(SharedBlob.Write(BlobRoles.Pattern(10)));

        SharedBlob opened = blob.Open();
        Assert.False(File.Exists(BlobFile.PathFor(blob.Name)));
        Assert.Single(BlobCleanup.FilesOf(blob));
        opened.Dispose();

        Assert.Empty(BlobCleanup.FilesOf(blob));
    }

    [Fact]
    public void A_second_Open_while_the_blob_is_held_throws_BlobAlreadyConsumedException()
    {
        BlobRef blob = _blobs.Track(SharedBlob.Write(BlobRoles.Pattern(10)));
        using SharedBlob first = blob.Open();

        var error = Assert.Throws<BlobAlreadyConsumedException>(() => blob.Open());

        Assert.Equal(Environment.ProcessId, error.ConsumerProcessId);
        Assert.Contains("consumed by its first Open", error.Message);
        Assert.True(first.Span.SequenceEqual(BlobRoles.Pattern(10)));
    }

    [Fact]
    public void Open_after_the_consumer_disposed_the_blob_throws_BlobNotFoundException()
    {
        BlobRef blob = _blobs.Track(SharedBlob.Write(BlobRoles.Pattern(10)));
        blob.Open().Dispose();

        var error = Assert.Throws<BlobNotFoundException>(() => blob.Open());

        Assert.Contains("already consumed", error.Message);
    }

    [Fact]
    public void Open_of_a_blob_that_was_never_written_throws_BlobNotFoundException()
    {
        var missing = new BlobRef(Guid.NewGuid().ToString("N"), 10, 0);

        Assert.Throws<BlobNotFoundException>(() => missing.Open());
    }

    [Theory]
    [InlineData("../typedipc.some-queue")]
    [InlineData("")]
    public void Open_of_a_reference_with_an_invalid_name_throws_ArgumentException(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => new BlobRef(name, 10, 0).Open());

        Assert.Contains("pass the BlobRef you received unchanged", error.Message);
    }

    [Fact]
    public void Bytes_changed_after_writing_fail_the_checksum_and_the_blob_is_removed()
    {
        BlobRef blob = _blobs.Track(SharedBlob.Write(BlobRoles.Pattern(1000)));
        using (var file = File.OpenHandle(BlobFile.PathFor(blob.Name), FileMode.Open, FileAccess.Write))
        {
            RandomAccess.Write(file, new byte[] { 0xFF }, BlobHeader.Bytes + 500);
        }

        var error = Assert.Throws<BlobCorruptedException>(() => blob.Open());

        Assert.Contains("send the data again", error.Message);
        Assert.Empty(BlobCleanup.FilesOf(blob));
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(0, 1)]
    public void A_reference_whose_length_or_checksum_was_altered_throws_BlobCorruptedException(long lengthChange, ulong checksumChange)
    {
        BlobRef blob = _blobs.Track(SharedBlob.Write(BlobRoles.Pattern(100)));
        var altered = blob with { Length = blob.Length + lengthChange, Checksum = blob.Checksum + checksumChange };

        Assert.Throws<BlobCorruptedException>(() => altered.Open());
    }

    [Fact]
    public void Sweep_leaves_the_blobs_of_running_writers_alone()
    {
        BlobRef blob = _blobs.Track(SharedBlob.Write(BlobRoles.Pattern(10)));

        SharedBlob.Sweep();

        using SharedBlob opened = blob.Open();
        Assert.Equal(10, opened.Length);
    }

    /// <summary>A stream that can only be read forwards, as from a pipe or a socket.</summary>
    private sealed class ForwardOnlyStream(byte[] data, int start) : MemoryStream(data, start, data.Length - start, writable: false)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }
    }
}
