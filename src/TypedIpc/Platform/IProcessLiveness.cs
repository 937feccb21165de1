using Microsoft.Win32.SafeHandles;

namespace TypedIpc.Platform;

/// <summary>
/// Liveness the kernel owns: a process marks itself alive by holding a lock on one byte of a shared file, and the
/// kernel drops the lock when the process dies, however it dies. Whether an owner lives is asked of the kernel
/// (is the byte locked?), never guessed from process ids, so PID namespaces, pid reuse and hidden /proc change
/// nothing. A stopped process (SIGSTOP, a debugger) still holds its locks: it is alive.
/// Linux uses open-file-description locks (<c>F_OFD_SETLK</c>); the counterparts elsewhere are an abandoned named
/// mutex on Windows and <c>flock</c> on one file per owner on macOS.
/// </summary>
internal interface IProcessLiveness
{
    /// <summary>Takes the lock on byte <paramref name="offset"/> through <paramref name="file"/>; false when another open file holds it.</summary>
    bool TryLock(SafeFileHandle file, long offset);

    /// <summary>Lets go of the lock on byte <paramref name="offset"/> that <paramref name="file"/> holds.</summary>
    void Unlock(SafeFileHandle file, long offset);

    /// <summary>
    /// True when another open file holds byte <paramref name="offset"/>, and also when the kernel cannot answer:
    /// an unreadable answer never declares an owner dead.
    /// </summary>
    bool IsHeld(SafeFileHandle file, long offset);
}

internal static class ProcessLiveness
{
    public static IProcessLiveness ForCurrentPlatform { get; } = Create();

    private static IProcessLiveness Create()
    {
        if (OperatingSystem.IsLinux())
        {
            return new Linux.OfdLockLiveness();
        }

        throw new PlatformNotSupportedException(
            "TypedIpc's shared queues run on Linux today; Windows (named mutexes) and macOS (flock) are planned.");
    }
}
