namespace TypedIpc.Samples;

/// <summary>Names and removes the queues of one sample run.</summary>
internal static class RunQueues
{
    /// <summary>A queue name no other run uses, so that two runs at the same time never share a queue.</summary>
    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>
    /// Calls every unlink so that the run leaves nothing in /dev/shm; a queue that a failed run never got to create
    /// is skipped rather than hiding the failure.
    /// </summary>
    public static void Remove(params ReadOnlySpan<Action> unlinks)
    {
        foreach (Action unlink in unlinks)
        {
            try
            {
                unlink();
            }
            catch (QueueNotFoundException)
            {
                // Never created: the run failed before opening this queue.
            }
        }
    }
}
