namespace TypedIpc.Hosting;

/// <summary>When the queue health check (<see cref="IpcHealthChecksBuilderExtensions.AddIpcQueueHealthCheck{TMessage}"/>) reports a queue unhealthy.</summary>
public sealed class IpcQueueHealthCheckOptions
{
    private TimeSpan _maxFullDuration = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long the queue may stay full (its count at its capacity) before the check reports it; one minute by default.
    /// The check looks at the queue when it runs: "stayed full" means full at every check over that time.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan MaxFullDuration
    {
        get => _maxFullDuration;
        set => _maxFullDuration = value >= TimeSpan.Zero
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "IpcQueueHealthCheckOptions.MaxFullDuration must be zero or positive.");
    }
}
