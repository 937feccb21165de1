using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TypedIpc.Hosting;

/// <summary>
/// Reports the queue of <typeparamref name="TMessage"/> unhealthy when every hosted consumer of it has ended, or when it
/// has stayed full for longer than <see cref="IpcQueueHealthCheckOptions.MaxFullDuration"/>.
/// </summary>
internal sealed class IpcQueueHealthCheck<TMessage>(
    IIpcQueue<TMessage> queue, IpcConsumerRegistry consumers, IpcQueueHealthCheckOptions options, IpcQueueFullness fullness) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
    {
        IReadOnlyList<IpcConsumerState> states = consumers.Of<TMessage>();
        int running = states.Count(state => state.Status == IpcConsumerStatus.Running);
        var data = new Dictionary<string, object>
        {
            ["queue"] = queue.Name,
            ["consumers"] = states.Count,
            ["runningConsumers"] = running,
        };

        // Before reading the queue: a consumer that failed may have failed because the queue can no longer be read.
        if (states.Count > 0 && running == 0)
        {
            IpcConsumerState? faulted = states.FirstOrDefault(state => state.Status == IpcConsumerStatus.Faulted);
            string why = faulted is not null
                ? $"{faulted.HandlerType.Name} failed: {faulted.Fault!.Message}"
                : "they stopped (the host is stopping, or the queue was shut down)";
            return Task.FromResult(new HealthCheckResult(
                context.Registration.FailureStatus, $"every consumer of queue '{queue.Name}' has ended: {why}", faulted?.Fault, data));
        }

        int count = queue.Count;
        int capacity = queue.Capacity;
        data["count"] = count;
        data["capacity"] = capacity;
        TimeSpan fullFor = fullness.Observe(count >= capacity);

        if (fullFor > options.MaxFullDuration)
        {
            return Task.FromResult(new HealthCheckResult(
                context.Registration.FailureStatus,
                $"queue '{queue.Name}' has been full ({count} of {capacity} items) for {fullFor.TotalSeconds:0} s, longer than the " +
                $"{options.MaxFullDuration.TotalSeconds:0} s allowed: its consumers do not keep up.",
                data: data));
        }

        return Task.FromResult(HealthCheckResult.Healthy($"queue '{queue.Name}' holds {count} of {capacity} items.", data));
    }
}

/// <summary>Since when one health check registration has seen its queue full; kept across the check's runs.</summary>
internal sealed class IpcQueueFullness
{
    private long _fullSince;

    /// <summary>Records whether the queue is full now; returns how long it has been full at every check (zero when not full).</summary>
    public TimeSpan Observe(bool full)
    {
        long now = Stopwatch.GetTimestamp();
        if (!full)
        {
            Interlocked.Exchange(ref _fullSince, 0);
            return TimeSpan.Zero;
        }

        Interlocked.CompareExchange(ref _fullSince, now, 0);
        return Stopwatch.GetElapsedTime(Interlocked.Read(ref _fullSince), now);
    }
}
