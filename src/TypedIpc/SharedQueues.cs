using TypedIpc.Blobs;
using TypedIpc.Internal;
using TypedIpc.Platform;

namespace TypedIpc;

/// <summary>
/// The shared queues and blobs on this machine, seen from outside: for tools (the <c>typedipc</c> command), health
/// checks and cleaning up after crashes. Reading a queue maps its file read-only: it never attaches, never
/// recovers, never creates, and never waits for a queue another process holds. Who is alive is asked of the kernel
/// by the same locks the queues themselves use, never of /proc.
/// </summary>
public static class SharedQueues
{
    /// <summary>
    /// Every queue in /dev/shm, by name. A file at a queue's name that cannot be read as a queue (a FIFO, a link, a
    /// directory, another user's file, a truncated or damaged region) is listed with <see cref="QueueInfo.Error"/> set.
    /// </summary>
    public static IReadOnlyList<QueueInfo> List()
    {
        var queues = new List<QueueInfo>();
        foreach (string path in Directory.EnumerateFileSystemEntries(SharedRegion.Directory, $"{SharedRegion.FilePrefix}*"))
        {
            string name = Path.GetFileName(path)[SharedRegion.FilePrefix.Length..];
            if (!IsQueueName(name))
            {
                continue; // no queue can have this name: not ours
            }

            try
            {
                if (Read(name) is { } queue)
                {
                    queues.Add(queue);
                }
            }
            catch (TypedIpcException e)
            {
                queues.Add(new QueueInfo { Name = name, Path = SharedRegion.PathFor(name), Error = e.Message });
            }
        }

        queues.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return queues;
    }

    /// <summary>One queue, read as <see cref="List"/> reads it.</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid queue name.</exception>
    /// <exception cref="QueueNotFoundException">No queue has that name.</exception>
    /// <exception cref="QueueCorruptedException">The file at the name is truncated, damaged or not a queue.</exception>
    /// <exception cref="QueueMismatchException">The queue has another shared-memory layout version (another TypedIpc version made it).</exception>
    /// <exception cref="SharedMemoryException">The file is a link, not a regular file, another user's, or cannot be opened.</exception>
    public static QueueInfo Inspect(string name)
    {
        SharedRegion.ValidateName(name);
        return Read(name) ?? throw new QueueNotFoundException(
            $"there is no queue named '{name}' ({SharedRegion.PathFor(name)} does not exist); it was never created or is already unlinked.");
    }

    /// <summary>
    /// Removes a queue's name, whatever its type, like <see cref="SharedQueue{T}.Unlink"/>: processes that have it open
    /// keep working on it, and the next open of the name creates a new, empty queue.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid queue name.</exception>
    /// <exception cref="QueueNotFoundException">No queue has that name.</exception>
    /// <exception cref="SharedMemoryException">The name cannot be removed (for example, no permission).</exception>
    public static void Unlink(string name) => SharedRegion.Unlink(name);

    /// <summary>Every shared blob's file in /dev/shm, with whether its owner lives.</summary>
    public static IReadOnlyList<SharedBlobInfo> ListBlobs() =>
        BlobSurvey.Take().Where(file => BlobSurvey.IsBlob(file.Kind)).Select(Describe).OrderBy(blob => blob.Name, StringComparer.Ordinal).ToArray();

    /// <summary>
    /// Removes what crashed processes left behind: queues none of whose attached processes is alive (<see cref="QueueInfo.IsAbandoned"/>),
    /// and blobs whose owner exited. A queue still holding items is kept unless <paramref name="includeNonEmpty"/>:
    /// its items are lost with it. Each queue is read again just before it is removed; a process that opens it after
    /// that keeps working on the removed file, and the next open of the name creates a new queue.
    /// </summary>
    /// <param name="includeNonEmpty">Remove abandoned queues that still hold items too.</param>
    /// <param name="dryRun">Remove nothing: report what would be removed.</param>
    /// <param name="namePrefix">
    /// Only queues whose names start with it (for example one application's "MyApp."); blobs, whose names tie them to
    /// no application, are then left alone. Null: every queue and blob.
    /// </param>
    public static PurgeResult Purge(bool includeNonEmpty = false, bool dryRun = false, string? namePrefix = null)
    {
        var removed = new List<QueueInfo>();
        var keptNonEmpty = new List<QueueInfo>();
        IEnumerable<QueueInfo> candidates = List().Where(queue =>
            queue.IsAbandoned && (namePrefix is null || queue.Name.StartsWith(namePrefix, StringComparison.Ordinal)));
        foreach (QueueInfo listed in candidates)
        {
            QueueInfo? queue = dryRun ? listed : ReadAgain(listed.Name);
            if (queue is not { IsAbandoned: true })
            {
                continue;
            }

            if (queue.Count > 0 && !includeNonEmpty)
            {
                keptNonEmpty.Add(queue);
            }
            else if (dryRun || TryUnlink(queue.Name))
            {
                removed.Add(queue);
            }
        }

        var removedBlobs = new List<SharedBlobInfo>();
        IEnumerable<SurveyedBlobFile> blobFiles = namePrefix is null ? BlobSurvey.Take() : [];
        foreach (SurveyedBlobFile file in blobFiles.Where(file => file.Abandoned))
        {
            // Described before removal: the owner's pid and the size are gone with the files. Liveness files of exited
            // processes go too, but only blobs are reported.
            SharedBlobInfo? blob = BlobSurvey.IsBlob(file.Kind) ? Describe(file) : null;
            if ((dryRun || BlobSurvey.Remove(file)) && blob is not null)
            {
                removedBlobs.Add(blob);
            }
        }

        return new PurgeResult(removed, keptNonEmpty, removedBlobs, dryRun);
    }

    /// <summary>The queue at <paramref name="name"/>, or null when nothing is there.</summary>
    private static QueueInfo? Read(string name)
    {
        if (SharedRegion.OpenForReading(name) is not var (region, recorded))
        {
            return null;
        }

        using (region)
        {
            var protocol = new QueueProtocol(region, ProcessSharedWaiter.ForCurrentPlatform, ProcessLiveness.ForCurrentPlatform, TimeSpan.Zero);
            return protocol.Inspect(name, recorded);
        }
    }

    private static QueueInfo? ReadAgain(string name)
    {
        try
        {
            return Read(name);
        }
        catch (TypedIpcException)
        {
            return null; // replaced by something that is not a queue meanwhile: not ours to remove
        }
    }

    private static bool TryUnlink(string name)
    {
        try
        {
            SharedRegion.Unlink(name);
            return true;
        }
        catch (QueueNotFoundException)
        {
            return false; // someone else removed it first
        }
    }

    private static bool IsQueueName(string name)
    {
        try
        {
            SharedRegion.ValidateName(name);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static SharedBlobInfo Describe(SurveyedBlobFile file)
    {
        SharedBlobState state = file.Kind switch
        {
            BlobFileKind.Writing => SharedBlobState.Writing,
            BlobFileKind.Written => SharedBlobState.Written,
            _ => SharedBlobState.Opened,
        };
        int? ownerPid = file.Owner == Guid.Empty ? null : BlobOwner.ProcessIdOf(file.Owner);
        return new SharedBlobInfo(
            BlobFile.BlobNameOf(Path.GetFileName(file.Path)), file.Path, state, BlobSurvey.LengthOf(file.Path), ownerPid, !file.Abandoned);
    }
}

/// <summary>What <see cref="SharedQueues.Purge"/> removed, or with a dry run would remove.</summary>
/// <param name="RemovedQueues">The abandoned queues removed, as read just before.</param>
/// <param name="KeptNonEmptyQueues">Abandoned queues kept because they still hold items (purge without <c>includeNonEmpty</c>).</param>
/// <param name="RemovedBlobs">The abandoned blobs removed.</param>
/// <param name="DryRun">True when nothing was removed: the lists say what would have been.</param>
public sealed record PurgeResult(
    IReadOnlyList<QueueInfo> RemovedQueues, IReadOnlyList<QueueInfo> KeptNonEmptyQueues, IReadOnlyList<SharedBlobInfo> RemovedBlobs, bool DryRun);
