using TypedIpc.Blobs;

namespace TypedIpc.Tests.Blobs;

/// <summary>Tracks the blobs a test makes and removes every file of them from /dev/shm on dispose, even when the test failed.</summary>
public sealed class BlobCleanup : IDisposable
{
    /// <summary>
    /// The collection of every test class that writes or sweeps blobs: a sweep (and every Write runs one now and then)
    /// removes any dead process's blob, so such tests must not run side by side with a test that checks one is there.
    /// </summary>
    public const string SweepingTests = "blobs: writes and sweeps";

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
            foreach (string name in _names)
            {
                foreach (string file in FilesOf(name))
                {
                    File.Delete(file);
                }
            }
        }
    }
}
