using System.Globalization;
using TypedIpc.Blobs;
using TypedIpc.TestPeer;
using TypedIpc.Tests.Support;

namespace TypedIpc.Tests.Blobs;

/// <summary>Blobs handed between real processes, and what a sweep does when one of them dies.</summary>
[Collection(BlobSweepCollection.Name)]
public sealed class SharedBlobCrossProcessTests : IDisposable
{
    private const int Length = 2 * 1024 * 1024 + 5;
    private readonly BlobCleanup _blobs = new();

    public void Dispose() => _blobs.Dispose();

    [Fact]
    public void A_blob_written_by_another_process_opens_here_with_every_byte()
    {
        using var writer = PeerProcess.Start(BlobRoles.WriteAndHold, Length.ToString(CultureInfo.InvariantCulture));
        BlobRef blob = _blobs.Track(BlobRoles.Parse(writer.WaitForFirstLine()));

        using SharedBlob opened = blob.Open();

        Assert.True(opened.Span.SequenceEqual(BlobRoles.Pattern(Length)));
    }

    [Fact]
    public void A_blob_opened_by_another_process_is_consumed_there()
    {
        BlobRef blob = _blobs.Track(SharedBlob.Write(BlobRoles.Pattern(Length)));
        using var reader = PeerProcess.Start([BlobRoles.OpenAndHold, .. BlobRoles.Format(blob).Split(' ')]);

        Assert.Equal($"opened {Length}", reader.WaitForFirstLine());
        var error = Assert.Throws<BlobAlreadyConsumedException>(() => blob.Open());
        Assert.Equal(reader.Id, error.ConsumerProcessId);
    }

    [Fact]
    public void Sweep_removes_a_blob_whose_writer_exited_before_anyone_opened_it()
    {
        using var writer = PeerProcess.Start(BlobRoles.WriteAndExit, Length.ToString(CultureInfo.InvariantCulture));
        BlobRef blob = _blobs.Track(BlobRoles.Parse(writer.WaitForSuccess()));
        Assert.True(File.Exists(BlobFile.PathFor(blob.Name)));
        Guid exitedWriter = Assert.NotNull(BlobFile.WriterOf(BlobFile.PathFor(blob.Name)));
        Assert.False(File.Exists(BlobFile.OwnerPath(exitedWriter)), "a writer that exited normally left its liveness file behind");

        SharedBlob.Sweep();

        Assert.Empty(BlobCleanup.FilesOf(blob));
        Assert.Throws<BlobNotFoundException>(() => blob.Open());
    }

    [Fact]
    public void Sweep_keeps_a_running_writers_blob_and_removes_it_once_the_writer_is_killed()
    {
        using var writer = PeerProcess.Start(BlobRoles.WriteAndHold, Length.ToString(CultureInfo.InvariantCulture));
        BlobRef blob = _blobs.Track(BlobRoles.Parse(writer.WaitForFirstLine()));

        Guid killedWriter = Assert.NotNull(BlobFile.WriterOf(BlobFile.PathFor(blob.Name)));

        SharedBlob.Sweep();
        Assert.True(File.Exists(BlobFile.PathFor(blob.Name)), "the sweep removed the blob of a running writer");

        writer.Kill();
        SharedBlob.Sweep();

        Assert.Empty(BlobCleanup.FilesOf(blob));
        Assert.False(File.Exists(BlobFile.OwnerPath(killedWriter)), "the sweep left the liveness file of a killed writer");
    }

    [Fact]
    public void Sweep_removes_a_blob_whose_reader_was_killed_while_holding_it()
    {
        BlobRef blob = _blobs.Track(SharedBlob.Write(BlobRoles.Pattern(Length)));
        using var reader = PeerProcess.Start([BlobRoles.OpenAndHold, .. BlobRoles.Format(blob).Split(' ')]);
        reader.WaitForFirstLine();
        Assert.Single(BlobCleanup.FilesOf(blob));

        reader.Kill();
        SharedBlob.Sweep();

        Assert.Empty(BlobCleanup.FilesOf(blob));
    }

    [Fact]
    public void Sweep_leaves_a_blob_held_by_a_running_reader_alone()
    {
        BlobRef blob = _blobs.Track(SharedBlob.Write(BlobRoles.Pattern(Length)));
        using var reader = PeerProcess.Start([BlobRoles.OpenAndHold, .. BlobRoles.Format(blob).Split(' ')]);
        reader.WaitForFirstLine();

        SharedBlob.Sweep();

        Assert.Single(BlobCleanup.FilesOf(blob));
    }
}
