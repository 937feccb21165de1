using System.Runtime.InteropServices;

namespace TypedIpc.Platform.Linux;

/// <summary>
/// Linux waiter: FUTEX_WAIT / FUTEX_WAKE without FUTEX_PRIVATE_FLAG, so that the kernel keys the wait on the
/// shared page (inode + offset) and a wake from any process that maps the file reaches the sleeper.
/// Publishers and sleepers order themselves with an asymmetric fence: every process registers for
/// MEMBARRIER_CMD_GLOBAL_EXPEDITED once, and a sleeper about to re-check issues it, which runs a full barrier on
/// every CPU that runs a registered process. The rare side (going to sleep) pays a few microseconds so that the
/// common side (every put and get) pays nothing. Where membarrier is refused (an old kernel, a seccomp filter),
/// publishers of this process fence themselves instead.
/// </summary>
internal sealed unsafe class FutexWaiter : IProcessSharedWaiter
{
    private const long NanosecondsPerSecond = 1_000_000_000;
    private const int MembarrierGlobalExpedited = 1 << 1;
    private const int MembarrierRegisterGlobalExpedited = 1 << 2;
    private readonly long _futexSyscall = LibC.SYS_futex;
    private readonly bool _membarrier = LibC.Syscall(LibC.SYS_membarrier, MembarrierRegisterGlobalExpedited, 0, 0) == 0;

    public bool FencesPublishersForSleepers => _membarrier;

    public void FenceForSleeper()
    {
        if (!_membarrier || LibC.Syscall(LibC.SYS_membarrier, MembarrierGlobalExpedited, 0, 0) != 0)
        {
            Interlocked.MemoryBarrier();
        }
    }

    public void Wait(int* word, int expected, long timeoutNanoseconds)
    {
        LibC.Timespec timeout;
        LibC.Timespec* timeoutPointer = null;
        if (timeoutNanoseconds >= 0)
        {
            // FUTEX_WAIT takes a relative timeout.
            timeout.Seconds = timeoutNanoseconds / NanosecondsPerSecond;
            timeout.Nanoseconds = timeoutNanoseconds % NanosecondsPerSecond;
            timeoutPointer = &timeout;
        }

        if (LibC.FutexSyscall(_futexSyscall, word, LibC.FUTEX_WAIT, expected, timeoutPointer, 0, 0) == -1)
        {
            int errno = Marshal.GetLastPInvokeError();
            // EAGAIN: the word changed before we slept; EINTR: a signal (e.g. SIGCHLD); ETIMEDOUT: time is up.
            // All three mean "re-check"; anything else is a broken mapping or kernel, never a reason to spin.
            if (errno is not (LibC.EAGAIN or LibC.EINTR or LibC.ETIMEDOUT))
            {
                throw new SharedMemoryException($"futex wait failed: {LibC.Describe(errno)}.");
            }
        }
    }

    public int Wake(int* word, int count)
    {
        long woken = LibC.FutexSyscall(_futexSyscall, word, LibC.FUTEX_WAKE, count, null, 0, 0);
        if (woken == -1)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new SharedMemoryException($"futex wake failed: {LibC.Describe(errno)}.");
        }

        return (int)woken;
    }
}
