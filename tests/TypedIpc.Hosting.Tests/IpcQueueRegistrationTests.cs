using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TypedIpc.Hosting.Tests.Support;
using TypedIpc.TestPeer;
using TypedIpc.Tests.Support;

namespace TypedIpc.Hosting.Tests;

public sealed class IpcQueueRegistrationTests : IDisposable
{
    private readonly TestQueueName _name = new("hosting-registration");

    public void Dispose() => _name.Dispose();

    [Fact]
    public async Task A_generated_queue_is_one_singleton_under_its_class_and_IIpcQueue_and_is_disposed_with_the_host()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddIpcQueue<JobQueue>(_name);
        JobQueue queue;
        using (IHost host = builder.Build())
        {
            await host.StartAsync();
            queue = host.Services.GetRequiredService<JobQueue>();
            Assert.Same(queue, host.Services.GetRequiredService<IIpcQueue<Job>>());
            Assert.Equal(_name.Value, queue.Name);
            Assert.Equal(JobQueue.DefaultMaxSize, queue.MaxSize);
            queue.Put(new Job(1));
            await host.StopAsync();
        }

        Assert.Throws<ObjectDisposedException>(() => queue.Put(new Job(2)));
    }

    [Fact]
    public void A_SharedQueue_opened_by_a_factory_resolves_as_itself_and_as_IIpcQueue()
    {
        var services = new ServiceCollection();
        services.AddIpcQueue(_ => SharedQueue<int>.Open(_name, maxsize: 4));
        using ServiceProvider provider = services.BuildServiceProvider();

        var queue = provider.GetRequiredService<SharedQueue<int>>();
        Assert.Same(queue, provider.GetRequiredService<IIpcQueue<int>>());
        Assert.Equal(4, queue.MaxSize);
    }

    [Fact]
    public void A_queue_class_without_a_generated_Open_is_refused_with_the_overload_to_use()
    {
        var error = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddIpcQueue<SharedQueue<int>>());
        Assert.Contains("AddIpcQueue(services =>", error.Message);
    }

    [Fact]
    public void MaxConcurrency_below_one_is_refused_at_registration()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(
            () => new ServiceCollection().AddIpcConsumer<Numbered, RecordingHandler>(options => options.MaxConcurrency = 0));
        Assert.Contains("at least 1", error.Message);
    }
}
