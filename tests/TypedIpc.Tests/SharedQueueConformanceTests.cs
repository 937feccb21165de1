using TypedIpc.Conformance;

namespace TypedIpc.Tests;

/// <summary>
/// The conformance suite on SharedQueue; every opened handle maps the queue anew, as another process would. When
/// issue 10 puts async and shutdown on IIpcQueue, this class derives from QueueLifecycleConformanceTests instead.
/// </summary>
public sealed class SharedQueueConformanceTests : QueueConformanceTests
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
