using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace TypedIpc.Tests.Support;

/// <summary>
/// What a thread is doing, read from /proc rather than from a queue's own counters: a thread blocked in Put or Get
/// is asleep in the futex system call on a word inside the queue's mapping. Shared by the tests and the chaos tool.
/// </summary>
public static partial class KernelWait
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The number of the futex system call on this machine (the first field of /proc/…/syscall).</summary>
    private static readonly long FutexSyscall = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 202,
        Architecture.Arm64 => 98,
        var other => throw new PlatformNotSupportedException($"no futex syscall number known for {other}"),
    };

    /// <summary>The kernel's id of the calling thread (what /proc/&lt;pid&gt;/task/ lists).</summary>
    public static int CurrentThreadId() => GetThreadId();

    /// <summary>
    /// True when thread <paramref name="threadId"/> of process <paramref name="processId"/> is inside futex() on a
    /// word of a mapping of <paramref name="mappedFile"/>: asleep in the kernel on that file's futex.
    /// </summary>
    public static bool IsAsleepOnFutexIn(int processId, int threadId, string mappedFile) =>
        Describe(processId, threadId, mappedFile) is null;

    /// <summary>
    /// True when the thread is inside futex() on a word of <paramref name="mappedFile"/> and the kernel still has it
    /// sleeping (state S). A FUTEX_WAKE makes the thread it reaches runnable (R) before the wake returns, whether or not
    /// that thread has got a CPU since: read right after a call that must wake it, true means the wake never reached it,
    /// however loaded the machine.
    /// </summary>
    public static bool IsSleepingOnFutexIn(int processId, int threadId, string mappedFile) =>
        ThreadStateOf(processId, threadId) == 'S' && IsAsleepOnFutexIn(processId, threadId, mappedFile);

    /// <summary>True when the process has <paramref name="mappedFile"/> mapped: it has opened that queue and not disposed it.</summary>
    public static bool Maps(int processId, string mappedFile) => MapsFile(processId, address: null, mappedFile);

    /// <summary>True when the process exists and is not a zombie (it has not exited, whether or not it was reaped).</summary>
    public static bool IsAlive(int processId) => StateOf(processId) is { } state && state is not ('Z' or 'X');

    /// <summary>
    /// The process's state letter in /proc/&lt;pid&gt;/stat, after the command name in parentheses ('T': stopped by a
    /// signal, 'Z': a zombie); null when the process is gone.
    /// </summary>
    public static char? StateOf(int processId) => StateIn(ReadOrNull($"/proc/{processId}/stat"));

    /// <summary>The state letter of one thread of the process, as <see cref="StateOf"/> gives it for the process.</summary>
    public static char? ThreadStateOf(int processId, int threadId) => StateIn(ReadOrNull($"/proc/{processId}/task/{threadId}/stat"));

    private static char? StateIn(string? stat) => stat is null ? null : stat[stat.LastIndexOf(')') + 2];

    /// <summary>
    /// Waits until <see cref="IsAsleepOnFutexIn"/> holds; throws, saying what the thread did instead, after
    /// <paramref name="timeout"/>, or at once when <paramref name="endedInstead"/> says how the awaited call (or
    /// process) ended: a call that returns instead of blocking must not be watched for the whole timeout.
    /// </summary>
    public static void WaitUntilAsleepOnFutexIn(
        int processId, int threadId, string mappedFile, TimeSpan? timeout = null, Func<string?>? endedInstead = null)
    {
        TimeSpan limit = timeout ?? DefaultTimeout;
        long deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        string? notAsleep;
        while ((notAsleep = Describe(processId, threadId, mappedFile)) is not null)
        {
            if (endedInstead?.Invoke() is { } ended)
            {
                throw new InvalidOperationException(ended);
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException(
                    $"thread {threadId} of process {processId} did not fall asleep on a futex in {mappedFile} within {limit.TotalSeconds:0} s: {notAsleep}.");
            }

            Thread.Sleep(1);
        }
    }

    /// <summary>True when some thread of the process is asleep on a futex in <paramref name="mappedFile"/>.</summary>
    public static bool AnyThreadAsleepOnFutexIn(int processId, string mappedFile)
    {
        string[] threads;
        try
        {
            threads = Directory.GetDirectories($"/proc/{processId}/task");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        return threads.Any(thread => int.TryParse(Path.GetFileName(thread), out int threadId) && IsAsleepOnFutexIn(processId, threadId, mappedFile));
    }

    /// <summary>Null when the thread sleeps on a futex in <paramref name="mappedFile"/>; otherwise what it does instead.</summary>
    private static string? Describe(int processId, int threadId, string mappedFile)
    {
        string? syscall = ReadOrNull($"/proc/{processId}/task/{threadId}/syscall")?.Trim();
        if (syscall is null)
        {
            return "the thread does not exist (any more)";
        }

        string[] fields = syscall.Split(' ');
        if (fields[0] != FutexSyscall.ToString(CultureInfo.InvariantCulture) || fields.Length < 2)
        {
            return $"it is not in futex() (/proc syscall: '{syscall}')";
        }

        ulong address = ulong.Parse(fields[1].AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        return MapsFile(processId, address, mappedFile)
            ? null
            : $"it is in futex() on 0x{address:x}, outside every mapping of {mappedFile}";
    }

    /// <summary>
    /// Whether <paramref name="address"/> (any address, when null) lies in a mapping of <paramref name="file"/> in the process. Compared by
    /// device and inode, not by path: a queue's creator maps it under a temporary name before publishing it.
    /// </summary>
    private static bool MapsFile(int processId, ulong? address, string file)
    {
        string? maps = ReadOrNull($"/proc/{processId}/maps");
        if (maps is null || FileIdentity(file) is not { } identity)
        {
            return false;
        }

        foreach (string line in maps.Split('\n'))
        {
            // start-end perms offset major:minor inode path
            string[] fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6 || fields[3] != identity.Device || fields[4] != identity.Inode)
            {
                continue;
            }

            string[] range = fields[0].Split('-');
            ulong start = ulong.Parse(range[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            ulong end = ulong.Parse(range[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            if (address is null || (address >= start && address < end))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The file's device ("major:minor" in hexadecimal, as in /proc/…/maps) and inode, from statx(2).</summary>
    private static unsafe (string Device, string Inode)? FileIdentity(string path)
    {
        const int AtFdCwd = -100;
        const uint StatxIno = 0x100;
        byte* statx = stackalloc byte[256];
        if (Statx(AtFdCwd, path, 0, StatxIno, statx) != 0)
        {
            return null;
        }

        // struct statx: stx_ino at offset 32, stx_dev_major and stx_dev_minor at 136 and 140.
        ulong inode = *(ulong*)(statx + 32);
        uint major = *(uint*)(statx + 136);
        uint minor = *(uint*)(statx + 140);
        return ($"{major:x2}:{minor:x2}", inode.ToString(CultureInfo.InvariantCulture));
    }

    private static string? ReadOrNull(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int directory, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();
}
