using TypedIpc.Conformance;

namespace TypedIpc.Tests;

/// <summary>
/// The conformance suite, shutdown and async included, on SharedQueue; every opened handle maps the queue anew, as
/// another process would.
/// </summary>
public sealed class SharedQueueConformanceTests : QueueLifecycleConformanceTests
{
    protected override ValueTask<IIpcQueue<TMessage>> OpenQueueAsync<TMessage>(string name, int maxsize, int maxMessageBytes, long capacityBytes) =>
        ValueTask.FromResult<IIpcQueue<TMessage>>(SharedQueue<TMessage>.Open(name, maxsize,
            new QueueOptions { MaxMessageBytes = maxMessageBytes, CapacityBytes = capacityBytes }));

    protected override ValueTask RemoveQueueAsync(string name)
    {
        File.Delete($"/dev/shm/typedipc.{name}");
        return ValueTask.CompletedTask;
    }
}
