namespace TypedIpc.Platform;

/// <summary>
/// Sleeps on, and wakes sleepers of, a 32-bit word inside the shared mapping, across processes.
/// The one OS-specific piece of waiting: Linux uses a futex on the word itself; Windows can map each word
/// to WaitOnAddress on a named section, macOS to its os_sync_wait_on_address calls.
/// </summary>
internal unsafe interface IProcessSharedWaiter
{
    /// <summary>
    /// Sleeps while <c>*word == expected</c>, at most <paramref name="timeoutNanoseconds"/>
    /// (negative: no limit). Returns early, without error, on a wake, a signal or a spurious wake-up:
    /// callers re-check their condition and their deadline in a loop.
    /// </summary>
    void Wait(int* word, int expected, long timeoutNanoseconds);

    /// <summary>Wakes at most <paramref name="count"/> sleepers of <paramref name="word"/>, in any process; returns how many woke.</summary>
    int Wake(int* word, int count);

    /// <summary>
    /// True when <see cref="FenceForSleeper"/> makes every process that uses queues execute a full memory barrier, so
    /// that publishers may read the sleepers bit right after their release store, without a fence of their own.
    /// </summary>
    bool FencesPublishersForSleepers { get; }

    /// <summary>Called by a sleeper after it announced itself and before it re-checks the queue (see above).</summary>
    void FenceForSleeper();
}

internal static class ProcessSharedWaiter
{
    public static IProcessSharedWaiter ForCurrentPlatform { get; } = Create();

    private static IProcessSharedWaiter Create()
    {
        if (OperatingSystem.IsLinux())
        {
            return new Linux.FutexWaiter();
        }

        throw new PlatformNotSupportedException(
            "TypedIpc's shared queues run on Linux today; Windows and macOS waiters are planned.");
    }
}
