namespace TypedIpc.Chaos;

/// <summary>What a run left in /dev/shm after it removed its own queue: nothing, or a failure per file.</summary>
public static class LeftoverFiles
{
    /// <summary>Removes every /dev/shm entry whose name contains <paramref name="queueName"/>; returns one failure per entry.</summary>
    public static List<string> RemoveAll(string queueName)
    {
        var failures = new List<string>();
        foreach (string leftover in Directory.EnumerateFileSystemEntries("/dev/shm", $"*{queueName}*"))
        {
            failures.Add($"{leftover} was left in /dev/shm at the end of the run.");
            File.Delete(leftover);
        }

        return failures;
    }
}
