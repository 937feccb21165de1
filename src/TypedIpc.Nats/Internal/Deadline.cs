using System.Diagnostics;

namespace TypedIpc.Nats.Internal;

/// <summary>Python's (block, timeout) pair as a point in Stopwatch time, fixed when the call starts.</summary>
internal readonly struct Deadline
{
    private readonly long _at;

    private Deadline(long at)
    {
        _at = at;
    }

    public static Deadline Now => new(Stopwatch.GetTimestamp());

    public static Deadline Never => new(long.MaxValue);

    public bool IsNever => _at == long.MaxValue;

    /// <summary>Time left; <see cref="Timeout.InfiniteTimeSpan"/> for a call without limit, zero once passed.</summary>
    public TimeSpan Remaining => IsNever
        ? Timeout.InfiniteTimeSpan
        : TimeSpan.FromTicks(Math.Max(0, (long)((_at - Stopwatch.GetTimestamp()) * ((double)TimeSpan.TicksPerSecond / Stopwatch.Frequency))));

    public bool HasPassed => !IsNever && Stopwatch.GetTimestamp() >= _at;

    public static Deadline From(bool block, TimeSpan? timeout)
    {
        if (timeout is { } span && span < TimeSpan.Zero && span != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(
                nameof(timeout), span,
                "The timeout must be zero or positive (or null, or Timeout.InfiniteTimeSpan, to wait without limit); " +
                "Python raises ValueError for the same call.");
        }

        if (!block)
        {
            return Now;
        }

        if (timeout is not { } limit || limit == Timeout.InfiniteTimeSpan || limit > TimeSpan.FromDays(365))
        {
            return Never;
        }

        return new Deadline(Stopwatch.GetTimestamp() + (long)(limit.Ticks * ((double)Stopwatch.Frequency / TimeSpan.TicksPerSecond)));
    }

    /// <summary>The shorter of the time left and <paramref name="cap"/>.</summary>
    public TimeSpan RemainingAtMost(TimeSpan cap) => IsNever ? cap : Remaining < cap ? Remaining : cap;
}
