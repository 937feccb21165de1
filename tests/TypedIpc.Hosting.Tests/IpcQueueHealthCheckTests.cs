using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using TypedIpc.Hosting.Tests.Support;
using TypedIpc.TestPeer;
using TypedIpc.Tests.Support;

namespace TypedIpc.Hosting.Tests;

public sealed class IpcQueueHealthCheckTests : IDisposable
{
    private readonly TestQueueName _name = new("hosting-health");

    public void Dispose() => _name.Dispose();

    [Fact]
    public async Task A_queue_with_a_running_consumer_is_healthy_and_reports_its_count()
    {
        var handled = new Handled();
        using IHost host = HostWithHealthCheck(handled, new HandlerSettings { GateFrom = 0 });
        var queue = host.Services.GetRequiredService<IIpcQueue<Numbered>>();
        queue.PutMany(ConsumerHost.Messages(2));
        await host.StartAsync();
        await handled.When(h => h.Running == 1);

        HealthReportEntry entry = await CheckAsync(host);
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal(1, entry.Data["count"]);
        Assert.Equal(1, entry.Data["runningConsumers"]);

        handled.Release();
        await host.StopAsync();
    }

    [Fact]
    public async Task A_queue_whose_consumers_all_failed_is_unhealthy_with_the_failure()
    {
        var handled = new Handled();
        using IHost host = HostWithHealthCheck(handled);
        await host.StartAsync();

        // The queue fails under the consumer's pending read.
        host.Services.GetRequiredService<SharedQueue<Numbered>>().Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => host.Consumer().ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(60)));

        HealthReportEntry entry = await CheckAsync(host);
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("every consumer", entry.Description);
        Assert.IsType<ObjectDisposedException>(entry.Exception);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_queue_whose_consumers_ended_at_its_shutdown_is_unhealthy()
    {
        var handled = new Handled();
        using IHost host = HostWithHealthCheck(handled);
        await host.StartAsync();
        host.Services.GetRequiredService<IIpcQueue<Numbered>>().Shutdown();
        await host.Consumer().ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(60));

        HealthReportEntry entry = await CheckAsync(host);
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("shut down", entry.Description);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_queue_full_for_longer_than_allowed_is_unhealthy_until_it_has_room_again()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddIpcQueue(_ => SharedQueue<Numbered>.Open(_name, maxsize: 2));
        builder.Services.AddHealthChecks().AddIpcQueueHealthCheck<Numbered>(options => options.MaxFullDuration = TimeSpan.Zero, name: "jobs");
        using IHost host = builder.Build();
        var queue = host.Services.GetRequiredService<IIpcQueue<Numbered>>();
        queue.PutMany(ConsumerHost.Messages(2));

        // The first check sees it full since now; the next, full for longer than zero.
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(host, "jobs")).Status);
        HealthReportEntry full = await CheckAsync(host, "jobs");
        Assert.Equal(HealthStatus.Unhealthy, full.Status);
        Assert.Contains("has been full (2 of 2 items)", full.Description);

        queue.Get();
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(host, "jobs")).Status);
    }

    private IHost HostWithHealthCheck(Handled handled, HandlerSettings? settings = null)
    {
        IHost host = ConsumerHost.Build(_name, 16, handled, settings, services =>
        {
            services.AddIpcQueue(_ => SharedQueue<Numbered>.Open(_name, 16));
            services.AddHealthChecks().AddIpcQueueHealthCheck<Numbered>();
        });
        return host;
    }

    private static async Task<HealthReportEntry> CheckAsync(IHost host, string name = "typedipc-queue-Numbered")
    {
        HealthReport report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        return report.Entries[name];
    }
}
