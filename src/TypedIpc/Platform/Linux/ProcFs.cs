using System.Buffers.Text;

namespace TypedIpc.Platform.Linux;

/// <summary>Reads a process's state and start time from /proc/[pid]/stat.</summary>
internal static class ProcFs
{
    private const int StartTimeField = 22; // man 5 proc: "(22) starttime %llu", in clock ticks since boot

    /// <summary>The start time of <paramref name="pid"/>, or null when it does not exist or is a zombie.</summary>
    public static ulong? StartTimeIfRunning(int pid)
    {
        Span<byte> buffer = stackalloc byte[1024];
        int length;
        try
        {
            using var handle = File.OpenHandle($"/proc/{pid}/stat");
            length = RandomAccess.Read(handle, buffer, 0);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or IOException)
        {
            return null;
        }

        return ParseStartTimeIfRunning(buffer[..length]);
    }

    /// <summary>Parses a stat line; the command name (field 2) may hold spaces and parentheses, so fields are counted after the last ')'.</summary>
    internal static ulong? ParseStartTimeIfRunning(ReadOnlySpan<byte> stat)
    {
        int close = stat.LastIndexOf((byte)')');
        if (close < 0 || close + 2 >= stat.Length)
        {
            return null;
        }

        ReadOnlySpan<byte> rest = stat[(close + 2)..]; // starts at field 3, the state
        byte state = rest[0];
        if (state is (byte)'Z' or (byte)'X' or (byte)'x')
        {
            return null;
        }

        for (int field = 3; field < StartTimeField; field++)
        {
            int space = rest.IndexOf((byte)' ');
            if (space < 0)
            {
                return null;
            }

            rest = rest[(space + 1)..];
        }

        return Utf8Parser.TryParse(rest, out ulong startTime, out _) ? startTime : null;
    }
}
