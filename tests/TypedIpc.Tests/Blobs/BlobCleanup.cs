using TypedIpc.Blobs;

namespace TypedIpc.Tests.Blobs;

/// <summary>
/// Tracks the blobs a test makes and removes every file of them from /dev/shm on dispose, even when the test failed,
/// together with the liveness files of their writers and readers that have exited (peers killed by the test).
/// </summary>
public sealed class BlobCleanup : IDisposable
{
    private readonly List<string> _names = [];
    private readonly List<string> _files = [];

    public BlobRef Track(BlobRef blob)
    {
        lock (_names)
        {
            _names.Add(blob.Name);
        }

        return blob;
    }

    /// <summary>
    /// A blob file known before its blob has a reference (one still being written): removed like a tracked blob's,
    /// with its writer's liveness file once the writer has exited, also when the test failed before the blob was written.
    /// </summary>
    public string TrackFile(string path)
    {
        lock (_names)
        {
            _files.Add(path);
        }

        return path;
    }

    /// <summary>Every file in /dev/shm that belongs to <paramref name="blob"/>, in any state (being written, written, opened).</summary>
    public static string[] FilesOf(BlobRef blob) => FilesOf(blob.Name);

    private static string[] FilesOf(string name) => Directory.GetFiles(BlobFile.Directory, $"*{BlobFile.Prefix}{name}*");

    public void Dispose()
    {
        lock (_names)
        {
            var owners = new HashSet<Guid>();
            // A tracked file's owner is in its name, so it is known even when the file is gone already.
            foreach (string file in _names.SelectMany(FilesOf).Concat(_files))
            {
                (BlobFileKind kind, Guid owner) = BlobFile.Classify(Path.GetFileName(file));
                owners.Add(kind == BlobFileKind.Written ? BlobFile.WriterOf(file) ?? Guid.Empty : owner);
                File.Delete(file);
            }

            foreach (Guid owner in owners.Where(owner => owner != Guid.Empty && BlobOwner.HasExited(owner)))
            {
                File.Delete(BlobFile.OwnerPath(owner));
            }
        }
    }
}
