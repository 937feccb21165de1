using System.Globalization;
using TypedIpc.Blobs;
using TypedIpc.TestPeer;
using TypedIpc.Tests.Support;

namespace TypedIpc.Tests.Blobs;

/// <summary>
/// SharedQueues.ListBlobs and Purge on blobs: a running writer's blob is listed with its owner alive, a killed one's
/// as abandoned and purged. Runs alone: a purge removes every abandoned queue and blob of the machine, which other
/// tests of this assembly make on purpose and look at afterwards.
/// </summary>
[Collection(RunAloneCollection.Name)]
public sealed class SharedQueuesBlobTests : IDisposable
{
    private const int Length = 1000;
    private readonly BlobCleanup _blobs = new();

    public void Dispose() => _blobs.Dispose();

    [Fact]
    public void A_blob_is_listed_with_its_live_owner_then_purged_once_the_owner_is_killed_and_a_dry_run_removes_nothing()
    {
        using var writer = PeerProcess.Start(BlobRoles.WriteAndHold, Length.ToString(CultureInfo.InvariantCulture));
        BlobRef blob = _blobs.Track(BlobRoles.Parse(writer.WaitForFirstLine()));
        string path = BlobFile.PathFor(blob.Name);

        SharedBlobInfo listed = Assert.Single(SharedQueues.ListBlobs(), b => b.Name == blob.Name);

        Assert.Equal(new SharedBlobInfo(blob.Name, path, SharedBlobState.Written, Length + BlobHeader.Bytes, writer.Id, OwnerAlive: true), listed);
        Assert.DoesNotContain(SharedQueues.Purge(dryRun: true).RemovedBlobs, b => b.Name == blob.Name);

        writer.Kill();

        Assert.False(Assert.Single(SharedQueues.ListBlobs(), b => b.Name == blob.Name).OwnerAlive);
        Assert.Contains(SharedQueues.Purge(dryRun: true).RemovedBlobs, b => b.Name == blob.Name);
        Assert.True(File.Exists(path));

        SharedBlobInfo removed = Assert.Single(SharedQueues.Purge().RemovedBlobs, b => b.Name == blob.Name);

        Assert.Equal((SharedBlobState.Written, (long?)(Length + BlobHeader.Bytes)), (removed.State, removed.Bytes));
        Assert.False(File.Exists(path));
        Assert.DoesNotContain(SharedQueues.ListBlobs(), b => b.Name == blob.Name);
    }
}
