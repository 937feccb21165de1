using Spectre.Console;

namespace TypedIpc.Cli;

/// <summary>list, inspect, purge and unlink: each returns its exit code.</summary>
public static class Commands
{
    public static int List(bool json, bool blobs)
    {
        IReadOnlyList<QueueInfo> queues = SharedQueues.List();
        IReadOnlyList<SharedBlobInfo>? blobList = blobs ? SharedQueues.ListBlobs() : null;
        if (json)
        {
            using Stream output = Console.OpenStandardOutput();
            QueueJson.WriteList(output, queues, blobList);
            return TypedIpcCommand.Success;
        }

        if (queues.Count == 0)
        {
            AnsiConsole.WriteLine("No TypedIpc queues in /dev/shm.");
        }
        else
        {
            AnsiConsole.Write(QueueView.QueueTable(queues));
            if (QueueView.Errors(queues) is { } errors)
            {
                AnsiConsole.Write(errors);
            }
        }

        if (blobList is not null)
        {
            if (blobList.Count == 0)
            {
                AnsiConsole.WriteLine("No shared blobs in /dev/shm.");
            }
            else
            {
                AnsiConsole.Write(QueueView.BlobTable(blobList));
            }
        }

        return TypedIpcCommand.Success;
    }

    public static int Inspect(string name, bool json)
    {
        QueueInfo queue = SharedQueues.Inspect(name);
        if (json)
        {
            using Stream output = Console.OpenStandardOutput();
            QueueJson.WriteQueue(output, queue);
        }
        else
        {
            AnsiConsole.Write(QueueView.Details(queue));
        }

        return TypedIpcCommand.Success;
    }

    public static int Purge(bool dryRun, bool includeNonEmpty, string? namePrefix)
    {
        PurgeResult result = SharedQueues.Purge(includeNonEmpty, dryRun, namePrefix);
        string removing = dryRun ? "Would remove" : "Removed";
        foreach (QueueInfo queue in result.RemovedQueues)
        {
            Console.WriteLine($"{removing} queue {queue.Name}: no live process attached, {queue.Count} item(s).");
        }

        foreach (QueueInfo queue in result.KeptNonEmptyQueues)
        {
            Console.WriteLine($"Kept queue {queue.Name}: no live process attached, but it holds {queue.Count} item(s); --include-nonempty removes it.");
        }

        foreach (SharedBlobInfo blob in result.RemovedBlobs)
        {
            string owner = blob.OwnerPid is { } pid ? $"owner {pid} exited" : "owner exited";
            Console.WriteLine($"{removing} blob {blob.Name}: {blob.State.ToString().ToLowerInvariant()}, {owner}.");
        }

        if (result.RemovedQueues.Count == 0 && result.RemovedBlobs.Count == 0)
        {
            Console.WriteLine(dryRun ? "Nothing would be removed." : "Nothing to remove.");
        }

        return TypedIpcCommand.Success;
    }

    public static int Unlink(string name)
    {
        SharedQueues.Unlink(name);
        Console.WriteLine($"Unlinked queue {name}.");
        return TypedIpcCommand.Success;
    }
}
