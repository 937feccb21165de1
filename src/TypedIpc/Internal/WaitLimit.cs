using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace TypedIpc.Internal;

/// <summary>
/// Python's (block, timeout) pair. Turned into a Stopwatch deadline only when a call finds it has to wait,
/// so that the fast path reads no clock.
/// </summary>
internal readonly struct WaitLimit
{
    private const long Unlimited = -1;

    /// <summary>0: do not wait; <see cref="Unlimited"/>: no limit; otherwise Stopwatch ticks.</summary>
    private readonly long _timeoutTicks;

    private WaitLimit(long timeoutTicks)
    {
        _timeoutTicks = timeoutTicks;
    }

    public static WaitLimit NoWait => default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static WaitLimit From(bool block, TimeSpan? timeout) =>
        timeout is null ? (block ? new WaitLimit(Unlimited) : NoWait) : FromTimeout(block, timeout.GetValueOrDefault());

    private static WaitLimit FromTimeout(bool block, TimeSpan timeout)
    {
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(
                nameof(timeout), timeout,
                "The timeout must be zero or positive (or null, or Timeout.InfiniteTimeSpan, to wait without limit); " +
                "Python raises ValueError for the same call.");
        }

        if (!block)
        {
            return NoWait;
        }

        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return new WaitLimit(Unlimited);
        }

        double ticks = timeout.Ticks * ((double)Stopwatch.Frequency / TimeSpan.TicksPerSecond);
        return new WaitLimit(ticks >= long.MaxValue / 2 ? Unlimited : (long)ticks);
    }

    /// <summary>False for a call that may not wait (block: false, or a zero timeout).</summary>
    public bool MayWait => _timeoutTicks != 0;

    /// <summary>The Stopwatch timestamp after which the call gives up; <see cref="long.MaxValue"/> for never.</summary>
    public long DeadlineFrom(long now) => _timeoutTicks == Unlimited ? long.MaxValue : now + _timeoutTicks;
}
