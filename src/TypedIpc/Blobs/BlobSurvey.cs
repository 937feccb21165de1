using TypedIpc.Platform.Linux;

namespace TypedIpc.Blobs;

/// <summary>
/// One file of the shared-blob machinery in /dev/shm, with its owner (the process whose exit makes it garbage: the
/// writer a written blob's header names, else the one its file name names; empty when unknown) and whether the kernel
/// says that owner exited. A file that is not a regular file of this user is never abandoned: not ours to judge.
/// </summary>
internal readonly record struct SurveyedBlobFile(string Path, BlobFileKind Kind, Guid Owner, bool Abandoned);

/// <summary>Looks at every blob file and liveness file in /dev/shm, asking each owner's liveness of the kernel once per survey.</summary>
internal static class BlobSurvey
{
    public static List<SurveyedBlobFile> Take()
    {
        var exited = new Dictionary<Guid, bool>();
        bool HasExited(Guid owner) =>
            exited.TryGetValue(owner, out bool known) ? known : exited[owner] = BlobOwner.HasExited(owner);

        var files = new List<SurveyedBlobFile>();
        foreach (string path in Directory.EnumerateFiles(BlobFile.Directory, BlobFile.SearchPattern))
        {
            (BlobFileKind kind, Guid owner) = BlobFile.Classify(Path.GetFileName(path));
            if (kind == BlobFileKind.Written)
            {
                owner = BlobFile.WriterOf(path) ?? Guid.Empty;
            }

            bool abandoned = kind switch
            {
                BlobFileKind.Writing or BlobFileKind.Opened => HasExited(owner) && IsOurs(path),
                BlobFileKind.Written => owner != Guid.Empty && HasExited(owner),
                BlobFileKind.Owner or BlobFileKind.OwnerBeingLocked => BlobOwner.IsAbandonedLivenessFile(path),
                _ => false,
            };
            files.Add(new SurveyedBlobFile(path, kind, owner, abandoned));
        }

        return files;
    }

    /// <summary>Removes a file's name; false when it was already gone or could not be removed.</summary>
    public static bool Remove(SurveyedBlobFile file) => LibC.Unlink(file.Path) == 0;

    /// <summary>Whether a file of this kind holds a blob (rather than being a liveness file or something else).</summary>
    public static bool IsBlob(BlobFileKind kind) => kind is BlobFileKind.Writing or BlobFileKind.Written or BlobFileKind.Opened;

    /// <summary>The size of a regular file of this user at <paramref name="path"/>; null when it is gone or not ours.</summary>
    public static long? LengthOf(string path)
    {
        try
        {
            if (ShmFile.OpenExisting(path, LibC.O_RDONLY, allowForeignOwner: false, "a blob") is not { } opened)
            {
                return null;
            }

            using (opened.Handle)
            {
                return opened.Length;
            }
        }
        catch (SharedMemoryException)
        {
            return null;
        }
    }

    private static bool IsOurs(string path) => LengthOf(path) is not null;
}
