using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace TypedIpc.Platform.Linux;

/// <summary>
/// Opens files under /dev/shm, which every local user can write to: never through a symbolic link (O_NOFOLLOW),
/// never blocking on a FIFO or device planted at the name (O_NONBLOCK), never inherited by exec'd children
/// (O_CLOEXEC); then checks with fstat that what was opened is a regular file of the expected owner.
/// </summary>
internal static unsafe class ShmFile
{
    /// <summary>What an open found at a path.</summary>
    public readonly record struct Opened(SafeFileHandle Handle, long Length, uint OwnerUid);

    /// <summary>
    /// Opens an existing file; null when nothing is at <paramref name="path"/>. Throws <see cref="SharedMemoryException"/>
    /// (with <paramref name="what"/> naming the object) for a link, a non-regular file, or another user's file when
    /// <paramref name="allowForeignOwner"/> is false.
    /// </summary>
    public static Opened? OpenExisting(string path, int accessFlags, bool allowForeignOwner, string what)
    {
        int fd = LibC.Open(path, accessFlags | LibC.O_NOFOLLOW | LibC.O_NONBLOCK | LibC.O_CLOEXEC, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno switch
            {
                LibC.ENOENT => null,
                LibC.ELOOP => throw new SharedMemoryException(
                    $"{path} is a symbolic link; TypedIpc never follows one under {Path.GetDirectoryName(path)}, because it may " +
                    $"point at another user's file. Remove it (rm {path}) and try again."),
                LibC.EISDIR => throw new SharedMemoryException(
                    $"{path} is not a regular file: {LibC.Describe(errno)}, planted at {what}'s name. Remove it (rm -r {path}) and try again."),
                LibC.EACCES => throw new SharedMemoryException(
                    $"no permission to open {what} at {path}. It was created by another user or with narrower permissions; " +
                    "open it as that user, or have it created with permissions that include you."),
                _ => throw new SharedMemoryException($"cannot open {what} at {path}: {LibC.Describe(errno)}."),
            };
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            LibC.Statx stat = Stat(handle, path);
            if (!stat.IsRegularFile)
            {
                throw new SharedMemoryException(
                    $"{path} is not a regular file (mode 0{Convert.ToString(stat.Mode, 8)}: a FIFO, directory or device planted at {what}'s " +
                    $"name). Remove it (rm -r {path}) and try again.");
            }

            if (!allowForeignOwner && stat.Uid != LibC.GetEffectiveUserId())
            {
                throw new SharedMemoryException(
                    $"{path} belongs to user id {stat.Uid}, not to this process's user ({LibC.GetEffectiveUserId()}). " +
                    $"Another user may have planted it to read or feed {what}. Remove it, or allow a foreign owner " +
                    "(QueueOptions.AllowForeignOwner) if it is shared between users on purpose.");
            }

            return new Opened(handle, (long)stat.Size, stat.Uid);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Creates a new file exclusively (O_EXCL) with <paramref name="mode"/>, exactly (the umask may not narrow it).</summary>
    public static SafeFileHandle CreateExclusive(string path, int mode, string what)
    {
        int fd = LibC.Open(path, LibC.O_RDWR | LibC.O_CREAT | LibC.O_EXCL | LibC.O_NOFOLLOW | LibC.O_NONBLOCK | LibC.O_CLOEXEC, mode);
        if (fd < 0)
        {
            throw new SharedMemoryException($"cannot create {what} at {path}: {LibC.Describe(Marshal.GetLastPInvokeError())}.");
        }

        LibC.Fchmod(fd, mode);
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    private static LibC.Statx Stat(SafeFileHandle handle, string path)
    {
        LibC.Statx stat;
        if (LibC.StatxFd((int)handle.DangerousGetHandle(), "", LibC.AT_EMPTY_PATH, LibC.STATX_BASIC_STATS, &stat) != 0)
        {
            throw new SharedMemoryException($"cannot stat {path}: {LibC.Describe(Marshal.GetLastPInvokeError())}.");
        }

        return stat;
    }
}
