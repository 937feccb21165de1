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

    [Fact]
    public void Sweep_removes_the_files_of_dead_writers_and_readers_and_returns_how_many_it_removed()
    {
        // Every Write sweeps now and then, in whichever process it runs: so all writing is done before anything of
        // this test dies, and only the Sweep below can remove what it counts.
        BlobRef held = _blobs.Track(SharedBlob.Write(BlobRoles.Pattern(10)));
        BlobRef alive = _blobs.Track(SharedBlob.Write(BlobRoles.Pattern(10)));
        using var killedWriter = PeerProcess.Start(BlobRoles.WriteFromInput);
        string writing = _blobs.TrackFile(WritingFileOf(killedWriter));
        using var killedReader = PeerProcess.Start([BlobRoles.OpenAndHold, .. BlobRoles.Format(held).Split(' ')]);
        killedReader.WaitForFirstLine();
        string opened = Assert.Single(BlobCleanup.FilesOf(held));
        using var exitedWriter = PeerProcess.Start(BlobRoles.WriteAndExit, "10");
        string written = BlobFile.PathFor(_blobs.Track(BlobRoles.Parse(exitedWriter.WaitForSuccess())).Name);
        killedReader.Kill();
        killedWriter.Kill();
        string[] before = AllBlobFiles();

        int removed = SharedBlob.Sweep();

        string[] vanished = before.Except(AllBlobFiles()).ToArray();
        Assert.Empty(new[] { written, opened, writing }.Except(vanished));
        // Every file it counts is one that went; other test processes' dead blobs may go with ours.
        Assert.InRange(removed, 3, vanished.Length);
        using SharedBlob stillThere = alive.Open();
        Assert.True(stillThere.Span.SequenceEqual(BlobRoles.Pattern(10)));
    }

    [Fact]
    public void Sweep_leaves_a_blob_that_a_running_writer_is_still_writing_alone()
    {
        using var writer = PeerProcess.Start(BlobRoles.WriteFromInput);
        string writing = _blobs.TrackFile(WritingFileOf(writer));

        SharedBlob.Sweep();

        Assert.True(File.Exists(writing), $"Sweep removed {writing} while its writer was still writing it");
        writer.Send("the rest of the data");
        writer.CloseInput();
        BlobRef blob = _blobs.Track(BlobRoles.Parse(writer.NextLine()));
        writer.WaitForSuccess();
        using SharedBlob opened = blob.Open();
        Assert.Equal("the rest of the data" + Environment.NewLine, System.Text.Encoding.UTF8.GetString(opened.Span));
    }

    [Fact]
    public void Of_four_processes_opening_one_blob_at_once_exactly_one_gets_it_and_the_others_are_told_who()
    {
        BlobRef blob = _blobs.Track(SharedBlob.Write(BlobRoles.Pattern(Length)));
        var readers = new List<PeerProcess>();
        try
        {
            for (int i = 0; i < 4; i++)
            {
                readers.Add(PeerProcess.Start([BlobRoles.OpenOnSignal, .. BlobRoles.Format(blob).Split(' ')]));
            }

            readers.ForEach(reader => Assert.Equal("ready", reader.WaitForFirstLine()));

            readers.ForEach(reader => reader.Send("open"));

            var answers = readers.ToDictionary(reader => reader, reader => reader.NextLine());
            PeerProcess winner = Assert.Single(answers, answer => answer.Value == $"opened {Length}").Key;
            Assert.All(
                answers.Where(answer => answer.Key != winner),
                answer => Assert.Equal($"{nameof(BlobAlreadyConsumedException)} {winner.Id}", answer.Value));
        }
        finally
        {
            readers.ForEach(reader => reader.Dispose());
        }
    }

    private static string[] AllBlobFiles() => Directory.GetFiles(BlobFile.Directory, $"*{BlobFile.Prefix}*");

    /// <summary>The blob file a peer in <see cref="BlobRoles.WriteFromInput"/> has open while it waits for its data.</summary>
    private static string WritingFileOf(PeerProcess writer)
    {
        Assert.Equal("writing", writer.WaitForFirstLine());
        return Directory.GetFiles($"/proc/{writer.Id}/fd")
            .Select(fd => new FileInfo(fd).LinkTarget)
            .Single(target => target is not null && BlobFile.Classify(Path.GetFileName(target)).Kind == BlobFileKind.Writing)!;
    }
}
