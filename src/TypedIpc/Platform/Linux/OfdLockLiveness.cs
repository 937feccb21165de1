using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace TypedIpc.Platform.Linux;

/// <summary>
/// Liveness by open-file-description locks: a lock belongs to the open file (not to a pid), is released when its
/// last descriptor closes — when the process dies — and is visible to <c>F_OFD_GETLK</c> from every process that
/// can open the file, whatever PID namespace it runs in. Descriptors are opened O_CLOEXEC, so children started
/// with exec never inherit a lock.
/// </summary>
internal sealed unsafe class OfdLockLiveness : IProcessLiveness
{
    public bool TryLock(SafeFileHandle file, long offset)
    {
        LibC.Flock request = LibC.Flock.OneByte(LibC.F_WRLCK, offset);
        if (LibC.Fcntl(Descriptor(file), LibC.F_OFD_SETLK, &request) == 0)
        {
            return true;
        }

        int errno = Marshal.GetLastPInvokeError();
        if (errno is LibC.EAGAIN or LibC.EACCES)
        {
            return false;
        }

        throw new SharedMemoryException($"cannot take a liveness lock (F_OFD_SETLK at byte {offset}): {LibC.Describe(errno)}.");
    }

    public void Unlock(SafeFileHandle file, long offset)
    {
        LibC.Flock request = LibC.Flock.OneByte(LibC.F_UNLCK, offset);
        LibC.Fcntl(Descriptor(file), LibC.F_OFD_SETLK, &request);
    }

    public bool IsHeld(SafeFileHandle file, long offset)
    {
        LibC.Flock probe = LibC.Flock.OneByte(LibC.F_WRLCK, offset);
        return LibC.Fcntl(Descriptor(file), LibC.F_OFD_GETLK, &probe) != 0 || probe.Type != LibC.F_UNLCK;
    }

    private static int Descriptor(SafeFileHandle file) => (int)file.DangerousGetHandle();
}
