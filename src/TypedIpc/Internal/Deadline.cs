using System.Diagnostics;

namespace TypedIpc.Internal;

/// <summary>Turns Python's (block, timeout) pair into a Stopwatch deadline; <see cref="long.MaxValue"/> = never.</summary>
internal static class Deadline
{
    public const long Never = long.MaxValue;

    public static long From(bool block, TimeSpan? timeout)
    {
        if (timeout is { } span && span < TimeSpan.Zero && span != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(
                nameof(timeout), span,
                "The timeout must be zero or positive (or null, or Timeout.InfiniteTimeSpan, to wait without limit); " +
                "Python raises ValueError for the same call.");
        }

        long now = Stopwatch.GetTimestamp();
        if (!block)
        {
            return now;
        }

        if (timeout is not { } limit || limit == Timeout.InfiniteTimeSpan)
        {
            return Never;
        }

        double ticks = limit.Ticks * ((double)Stopwatch.Frequency / TimeSpan.TicksPerSecond);
        return ticks >= Never - now ? Never : now + (long)ticks;
    }
}
