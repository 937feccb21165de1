using TypedIpc.Blobs;

namespace TypedIpc.Tests.Blobs;

/// <summary>
/// Tracks the blobs a test makes and removes every file of them from /dev/shm on dispose, even when the test failed,
/// together with the liveness files of their writers and readers that have exited (peers killed by the test).
/// </summary>
public sealed class BlobCleanup : IDisposable
{
    private readonly List<string> _names = [];

    public BlobRef Track(BlobRef blob)
    {
        lock (_names)
        {
            _names.Add(blob.Name);
        }

        return blob;
    }

    /// <summary>Every file in /dev/shm that belongs to <paramref name="blob"/>, in any state (being written, written, opened).</summary>
    public static string[] FilesOf(BlobRef blob) => FilesOf(blob.Name);

    private static string[] FilesOf(string name) => Directory.GetFiles(BlobFile.Directory, $"*{BlobFile.Prefix}{name}*");

    public void Dispose()
    {
        lock (_names)
        {
            var owners = new HashSet<Guid>();
            foreach (string file in _names.SelectMany(FilesOf))
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
