namespace TypedIpc.Platform;

/// <summary>
/// Names a process so that a reused pid is never taken for the process that died:
/// <c>pid &lt;&lt; 41 | start time</c> packed into one word that can be compare-and-swapped.
/// Bit 63 stays free for the process table's "being reclaimed" mark.
/// </summary>
internal static class ProcessIdentity
{
    private const int StartTimeBits = 41;
    private const ulong StartTimeMask = (1UL << StartTimeBits) - 1;
    private const int PidBits = 22; // Linux caps pid_max at 2^22

    public static ulong Current { get; } = Pack(Environment.ProcessId, CurrentStartTime());

    public static int PidOf(ulong identity) => (int)((identity >> StartTimeBits) & ((1UL << PidBits) - 1));

    /// <summary>True while the process named by <paramref name="identity"/> runs (a zombie counts as dead).</summary>
    public static bool IsAlive(ulong identity)
    {
        if (identity == Current)
        {
            return true;
        }

        ulong? startTime = OperatingSystem.IsLinux() ? Linux.ProcFs.StartTimeIfRunning(PidOf(identity)) : null;
        return startTime is { } ticks && (ticks & StartTimeMask) == (identity & StartTimeMask);
    }

    internal static ulong Pack(int pid, ulong startTime) =>
        ((ulong)pid << StartTimeBits) | (startTime & StartTimeMask);

    private static ulong CurrentStartTime() =>
        OperatingSystem.IsLinux()
            ? Linux.ProcFs.StartTimeIfRunning(Environment.ProcessId)
              ?? throw new SharedMemoryException("cannot read this process's start time from /proc/self/stat.")
            : throw new PlatformNotSupportedException("TypedIpc's shared queues run on Linux today.");
}
