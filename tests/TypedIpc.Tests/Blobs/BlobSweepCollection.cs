namespace TypedIpc.Tests.Blobs;

/// <summary>
/// The blob test classes, run one after another: every Write sweeps now and then, and a sweep in one test could
/// remove the blob of an exited writer that another test is about to show its own sweep removing.
/// </summary>
[CollectionDefinition(Name)]
public sealed class BlobSweepCollection
{
    public const string Name = "Blob sweeps";
}
