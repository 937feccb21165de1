using TypedIpc.Conformance;
using TypedIpc.Tests.Support;

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

    protected override Task WhenAGetWaitsAsync(string name, CancellationToken cancellationToken) => WhenAThreadSleepsOnAsync(name, cancellationToken);

    protected override Task WhenAPutWaitsAsync(string name, CancellationToken cancellationToken) => WhenAThreadSleepsOnAsync(name, cancellationToken);

    /// <summary>A waiting call (for an awaited one, its watcher thread) sleeps in the kernel on a futex word of the queue's mapping.</summary>
    private static async Task WhenAThreadSleepsOnAsync(string name, CancellationToken cancellationToken)
    {
        while (!KernelWait.AnyThreadAsleepOnFutexIn(Environment.ProcessId, PathOf(name)))
        {
            await Task.Delay(1, cancellationToken);
        }
    }

    private static string PathOf(string name) => $"/dev/shm/typedipc.{name}";

    protected override ValueTask RemoveQueueAsync(string name)
    {
        File.Delete(PathOf(name));
        return ValueTask.CompletedTask;
    }
}
