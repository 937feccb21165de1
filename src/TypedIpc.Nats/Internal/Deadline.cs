using System.Diagnostics;
using TypedIpc.Internal;

namespace TypedIpc.Nats.Internal;

/// <summary>Python's (block, timeout) pair as a point in Stopwatch time, fixed when the call starts.</summary>
internal readonly struct Deadline
{
    private readonly long _at;

    private Deadline(long at)
    {
        _at = at;
    }

    public bool IsNever => _at == long.MaxValue;

    /// <summary>Time left; <see cref="Timeout.InfiniteTimeSpan"/> for a call without limit, zero once passed.</summary>
    public TimeSpan Remaining => IsNever
        ? Timeout.InfiniteTimeSpan
        : TimeSpan.FromTicks(Math.Max(0, (long)((_at - Stopwatch.GetTimestamp()) * ((double)TimeSpan.TicksPerSecond / Stopwatch.Frequency))));

    public bool HasPassed => !IsNever && Stopwatch.GetTimestamp() >= _at;

    /// <summary>Validated and read as the shared-memory queue does (<see cref="WaitLimit"/>): the same timeouts mean the same.</summary>
    public static Deadline From(bool block, TimeSpan? timeout) =>
        new(WaitLimit.From(block, timeout).DeadlineFrom(Stopwatch.GetTimestamp()));

    /// <summary>The shorter of the time left and <paramref name="cap"/>.</summary>
    public TimeSpan RemainingAtMost(TimeSpan cap) => IsNever ? cap : Remaining < cap ? Remaining : cap;
}
