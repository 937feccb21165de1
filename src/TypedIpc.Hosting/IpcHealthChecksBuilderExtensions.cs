using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TypedIpc.Hosting;

/// <summary>Health checks of TypedIpc queues.</summary>
public static class IpcHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a check of the <see cref="IIpcQueue{T}"/> of <typeparamref name="TMessage"/> (registered with
    /// <see cref="IpcServiceCollectionExtensions.AddIpcQueue{TQueue}(IServiceCollection, Func{IServiceProvider, TQueue})"/>):
    /// it reports <paramref name="failureStatus"/> when every hosted consumer of the queue in this host has ended, or when the
    /// queue has stayed full longer than <see cref="IpcQueueHealthCheckOptions.MaxFullDuration"/>; otherwise healthy, with
    /// the queue's count and capacity in its data.
    /// </summary>
    /// <param name="builder">The builder <c>services.AddHealthChecks()</c> returned.</param>
    /// <param name="configure">Sets the check's options; null for the defaults.</param>
    /// <param name="name">The check's name; null for <c>typedipc-queue-</c> and the message type's name.</param>
    /// <param name="failureStatus">What an unhealthy queue reports; null for <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags to filter health checks by.</param>
    public static IHealthChecksBuilder AddIpcQueueHealthCheck<TMessage>(
        this IHealthChecksBuilder builder,
        Action<IpcQueueHealthCheckOptions>? configure = null,
        string? name = null,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new IpcQueueHealthCheckOptions();
        configure?.Invoke(options);
        var fullness = new IpcQueueFullness();
        builder.Services.TryAddSingleton<IpcConsumerRegistry>();
        return builder.Add(new HealthCheckRegistration(
            name ?? $"typedipc-queue-{typeof(TMessage).Name}",
            services => new IpcQueueHealthCheck<TMessage>(
                IpcServiceCollectionExtensions.QueueOf<TMessage>(services), services.GetRequiredService<IpcConsumerRegistry>(), options, fullness),
            failureStatus,
            tags));
    }
}
