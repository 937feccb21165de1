using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using TypedIpc.Platform;
using TypedIpc.Platform.Linux;

namespace TypedIpc.Blobs;

/// <summary>
/// How a process shows that it still holds its blobs: it holds, for its whole life, an open-file-description lock
/// on the first byte of its liveness file <c>/dev/shm/.typedipc-blob-owner.&lt;owner&gt;</c>, and the names and headers
/// of its blobs name that owner. The kernel drops the lock when the process dies, however it dies, so whether an
/// owner has exited is asked of the kernel, never of /proc: PID namespaces, pid reuse and a hidden /proc change nothing.
/// The file is locked under a temporary name before it is linked under its own, so a blob can only ever name a locked
/// file: a missing or unlocked liveness file means that its owner has exited, and an answer the kernel cannot give
/// (the file unreadable, not ours, not a regular file) means that it may still run.
/// </summary>
internal static class BlobOwner
{
    private const long LockedByte = 0;
    private const int OwnerReadWrite = 0b110_000_000;
    private const int MaxRegisterAttempts = 100;
    private const string What = "a blob liveness file";

    private static readonly IProcessLiveness Liveness = ProcessLiveness.ForCurrentPlatform;
    private static readonly object s_registering = new();
    private static StrongBox<Guid>? s_current;

    /// <summary>
    /// This process as a blob owner; the first use creates and locks its liveness file. A failure is not remembered
    /// (as <see cref="Lazy{T}"/> would): the next use tries again.
    /// </summary>
    public static Guid Current => (Volatile.Read(ref s_current) ?? RegisterOnce()).Value;

    private enum LockState
    {
        Missing,
        Unlocked,
        Locked,
        Unknown,
    }

    /// <summary>True only when the kernel says so: the owner's liveness file is gone or nobody holds its lock.</summary>
    public static bool HasExited(Guid owner) =>
        !IsCurrent(owner) && Probe(BlobFile.OwnerPath(owner)) is LockState.Missing or LockState.Unlocked;

    /// <summary>True when the liveness file at <paramref name="path"/> is one of ours and nobody holds its lock: its creator exited.</summary>
    public static bool IsAbandonedLivenessFile(string path) => Probe(path) == LockState.Unlocked;

    /// <summary>The owner's process id as that process sees it (in another PID namespace it differs); for messages only.</summary>
    public static int? ProcessIdOf(Guid owner)
    {
        if (IsCurrent(owner))
        {
            return Environment.ProcessId;
        }

        try
        {
            if (ShmFile.OpenExisting(BlobFile.OwnerPath(owner), LibC.O_RDONLY, allowForeignOwner: false, What) is not { } file)
            {
                return null;
            }

            using SafeFileHandle handle = file.Handle;
            Span<byte> text = stackalloc byte[16];
            int read = RandomAccess.Read(handle, text, 0);
            return int.TryParse(text[..read], NumberStyles.None, CultureInfo.InvariantCulture, out int pid) ? pid : null;
        }
        catch (Exception e) when (e is SharedMemoryException or IOException)
        {
            return null;
        }
    }

    private static bool IsCurrent(Guid owner) => Volatile.Read(ref s_current) is { } current && current.Value == owner;

    private static StrongBox<Guid> RegisterOnce()
    {
        lock (s_registering)
        {
            if (s_current is not { } current)
            {
                current = new StrongBox<Guid>(Register());
                Volatile.Write(ref s_current, current);
            }

            return current;
        }
    }

    private static LockState Probe(string path)
    {
        try
        {
            if (ShmFile.OpenExisting(path, LibC.O_RDONLY, allowForeignOwner: false, What) is not { } file)
            {
                return LockState.Missing;
            }

            using SafeFileHandle handle = file.Handle;
            return Liveness.IsHeld(handle, LockedByte) ? LockState.Locked : LockState.Unlocked;
        }
        catch (SharedMemoryException)
        {
            return LockState.Unknown;
        }
    }

    /// <summary>
    /// Creates this process's liveness file: locked under a temporary name, then linked under its own, so that the
    /// name never shows an unlocked file. On a normal exit the process removes it; after a crash the kernel drops the
    /// lock and a sweep removes it.
    /// </summary>
    private static Guid Register()
    {
        for (int attempt = 0; attempt < MaxRegisterAttempts; attempt++)
        {
            var owner = Guid.NewGuid();
            if (TryCreateLocked(owner) is { } file)
            {
                // The handler keeps the locked descriptor reachable, so it stays open until the process exits.
                AppDomain.CurrentDomain.ProcessExit += (_, _) =>
                {
                    LibC.Unlink(BlobFile.OwnerPath(owner));
                    file.Dispose();
                };
                return owner;
            }
        }

        throw new SharedMemoryException(
            $"cannot create {What} in {BlobFile.Directory}: its temporary file vanished {MaxRegisterAttempts} times in a row.");
    }

    /// <summary>
    /// The locked liveness file of <paramref name="owner"/>, or null when something got to the temporary file first
    /// (a sweep removed it before it was locked, or a file already has the final name).
    /// </summary>
    private static SafeFileHandle? TryCreateLocked(Guid owner)
    {
        string lockingPath = BlobFile.OwnerLockingPath(owner);
        string ownerPath = BlobFile.OwnerPath(owner);
        SafeFileHandle file = ShmFile.CreateExclusive(lockingPath, OwnerReadWrite, What);
        try
        {
            RandomAccess.Write(file, Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture)), 0);
            if (Liveness.TryLock(file, LockedByte))
            {
                if (LibC.Link(lockingPath, ownerPath) == 0)
                {
                    return file;
                }

                int errno = Marshal.GetLastPInvokeError();
                if (errno is not (LibC.ENOENT or LibC.EEXIST))
                {
                    throw new SharedMemoryException($"cannot create {What} at {ownerPath}: {LibC.Describe(errno)}.");
                }
            }

            file.Dispose();
            return null;
        }
        catch
        {
            file.Dispose();
            throw;
        }
        finally
        {
            LibC.Unlink(lockingPath);
        }
    }
}
