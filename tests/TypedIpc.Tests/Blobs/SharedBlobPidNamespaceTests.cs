using System.Diagnostics;
using TypedIpc.Blobs;
using TypedIpc.TestPeer;
using TypedIpc.Tests.Support;

namespace TypedIpc.Tests.Blobs;

/// <summary>
/// Blobs shared with a process in another PID namespace, as between containers that share /dev/shm: its pid means
/// nothing here, and the sweep must still keep its blobs while it runs and remove them once it is killed.
/// </summary>
[Collection(BlobSweepCollection.Name)]
public sealed class SharedBlobPidNamespaceTests : IDisposable
{
    private const int Length = 4096;
    // Sweeping stops as soon as the blob is gone, which waits only for the killed writer's exit inside its namespace;
    // a blob the sweep never takes stays for ever, so the bound can be far beyond any exit on a loaded machine.
    private static readonly TimeSpan SweepDeadline = TimeSpan.FromSeconds(30);
    private readonly BlobCleanup _blobs = new();

    public void Dispose() => _blobs.Dispose();

    [Fact]
    public void NeedsRoot_a_writer_in_its_own_PID_namespace_keeps_its_blob_while_it_runs_and_loses_it_once_killed()
    {
        using var writer = PidNamespacePeer.Start(BlobRoles.WriteAndHold, $"{Length}");
        BlobRef blob = _blobs.Track(BlobRoles.Parse(writer.WaitForFirstLine()));
        Guid owner = BlobFile.WriterOf(BlobFile.PathFor(blob.Name)) ?? throw new InvalidOperationException("the written blob names no writer");
        Assert.Equal(1, BlobOwner.ProcessIdOf(owner)); // the first process of its own namespace: pid 1 there

        SharedBlob.Sweep();
        Assert.True(File.Exists(BlobFile.PathFor(blob.Name)), "the sweep removed the blob of a writer that still runs in its own PID namespace");

        writer.Kill();

        AssertSweptWithin(blob, SweepDeadline);
    }

    [Fact]
    public void NeedsRoot_a_reader_in_its_own_PID_namespace_keeps_the_blob_it_opened_while_it_runs_and_loses_it_once_killed()
    {
        BlobRef blob = _blobs.Track(SharedBlob.Write(BlobRoles.Pattern(Length)));
        using var reader = PidNamespacePeer.Start([BlobRoles.OpenAndHold, .. BlobRoles.Format(blob).Split(' ')]);
        Assert.Equal($"opened {Length}", reader.WaitForFirstLine());

        SharedBlob.Sweep();
        Assert.Single(BlobCleanup.FilesOf(blob));
        Assert.Throws<BlobAlreadyConsumedException>(() => blob.Open());

        reader.Kill();

        AssertSweptWithin(blob, SweepDeadline);
    }

    /// <summary>Sweeps until every file of <paramref name="blob"/> is gone: the peer's exit releases its lock asynchronously to unshare's.</summary>
    private static void AssertSweptWithin(BlobRef blob, TimeSpan deadline)
    {
        var clock = Stopwatch.StartNew();
        while (BlobCleanup.FilesOf(blob).Length > 0)
        {
            Assert.True(clock.Elapsed < deadline, $"the blob of a killed peer was still there after {deadline.TotalSeconds} s of sweeping");
            SharedBlob.Sweep();
            Thread.Sleep(20);
        }
    }
}
