using System.Globalization;

namespace TypedIpc.Nats.Internal;

/// <summary>A call's (block, timeout) as given, for its deadline and for the words of its Full/Empty message.</summary>
internal readonly struct CallLimit(bool block, TimeSpan? timeout)
{
    public Deadline Deadline { get; } = Deadline.From(block, timeout);

    public bool Block => block;

    public string TimeoutMilliseconds => (timeout ?? TimeSpan.Zero).TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture);
}
