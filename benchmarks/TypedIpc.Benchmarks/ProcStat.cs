using System.Globalization;

namespace TypedIpc.Benchmarks;

public static class ProcStat
{
    /// <summary>USER_HZ: 100 on every Linux architecture .NET runs on.</summary>
    private const int ClockTicksPerSecond = 100;

    /// <summary>The user + system CPU time a process has used, from fields 14 and 15 of /proc/PID/stat.</summary>
    public static double CpuSecondsOf(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks / (double)ClockTicksPerSecond;
    }
}
