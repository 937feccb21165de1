using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using TypedIpc.TestPeer;

namespace TypedIpc.Hosting.Tests.Support;

/// <summary>A real Generic Host with a hosted consumer of a <see cref="SharedQueue{T}"/> of <see cref="Numbered"/> messages.</summary>
public static class ConsumerHost
{
    public static IHost Build(
        string queueName, int maxsize, Handled handled, HandlerSettings? settings = null, Action<IServiceCollection>? configure = null,
        int maxConcurrency = 1)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddFakeLogging();
        builder.Services.Configure<HostOptions>(options =>
        {
            options.ShutdownTimeout = TimeSpan.FromSeconds(60);
            // A faulted consumer leaves the host running, so that the test can ask the health check about it.
            options.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.Ignore;
        });
        builder.Services.AddSingleton(handled);
        builder.Services.AddSingleton(settings ?? new HandlerSettings());
        builder.Services.AddSingleton<ScopeCounts>();
        builder.Services.AddScoped<ScopeProbe>();
        if (configure is not null)
        {
            configure(builder.Services);
        }
        else
        {
            builder.Services.AddIpcQueue(_ => SharedQueue<Numbered>.Open(queueName, maxsize));
        }

        builder.Services.AddIpcConsumer<Numbered, RecordingHandler>(options => options.MaxConcurrency = maxConcurrency);
        return builder.Build();
    }

    /// <summary>The hosted consumer: stopping it directly cancels its reading before the call returns.</summary>
    public static BackgroundService Consumer(this IHost host) =>
        host.Services.GetServices<IHostedService>().OfType<BackgroundService>().Single();

    public static FakeLogCollector Logs(this IHost host) => host.Services.GetFakeLogCollector();

    /// <summary>Starts the host, puts messages 0 to <paramref name="count"/> - 1 on its queue, and stops it once all are handled.</summary>
    public static async Task HandleMessagesAsync(this IHost host, Handled handled, int count)
    {
        await host.StartAsync();
        host.Services.GetRequiredService<IIpcQueue<Numbered>>().PutMany(Messages(count));
        await handled.When(h => h.Sequences.Count == count);
        await host.StopAsync();
    }

    /// <summary>Messages of sequence 0 to <paramref name="count"/> - 1.</summary>
    public static Numbered[] Messages(int count) => [.. Enumerable.Range(0, count).Select(sequence => new Numbered(0, sequence, 0))];
}
