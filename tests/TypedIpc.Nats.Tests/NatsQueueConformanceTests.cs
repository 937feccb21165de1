using NATS.Client.JetStream;
using NATS.Net;
using TypedIpc.Conformance;
using TypedIpc.Nats.Tests.Support;

namespace TypedIpc.Nats.Tests;

/// <summary>The conformance suite on NatsQueue; every opened handle has a client (connection) of its own, like another process.</summary>
[Collection(SharedNatsServer.Name)]
public sealed class NatsQueueConformanceTests(NatsServer server) : QueueLifecycleConformanceTests
{
    private readonly List<NatsClient> _clients = [];

    /// <summary>
    /// A pull request cannot be withdrawn: a message the server sends for a cancelled Get's pull is handed back (NAK)
    /// and may come after a message put later (docs/nats.md, "Order").
    /// </summary>
    protected override bool KeepsOrderAcrossACancelledGet => false;

    protected override async ValueTask<IIpcQueue<TMessage>> OpenQueueAsync<TMessage>(string name, int maxsize, int maxMessageBytes, long capacityBytes)
    {
        NatsClient client = server.NewClient();
        _clients.Add(client);
        return await NatsQueue<TMessage>.OpenAsync(client, name, maxsize,
            new NatsQueueOptions { MaxMessageBytes = maxMessageBytes, CapacityBytes = capacityBytes });
    }

    /// <summary>A waiting get keeps a pull request pending at the queue's shared consumer, which the server counts.</summary>
    protected override async Task WhenAGetWaitsAsync(string name, CancellationToken cancellationToken)
    {
        await using NatsClient client = server.NewClient();
        INatsJSContext jetStream = client.CreateJetStreamContext();
        while ((await jetStream.GetConsumerAsync(NatsQueueTest.StreamOf(name), NatsQueueTest.SharedConsumer, cancellationToken)).Info.NumWaiting == 0)
        {
            await Task.Delay(5, cancellationToken);
        }
    }

    /// <summary>
    /// A put on a full stream leaves no trace on the server (a refused publish is answered and forgotten; the put tries
    /// again within 20 ms), so here alone time stands in for a signal: half a second is many tries. A put that has not
    /// tried yet when the test acts ends the same way, only without having waited.
    /// </summary>
    protected override Task WhenAPutWaitsAsync(string name, CancellationToken cancellationToken) => Task.Delay(500, cancellationToken);

    protected override async ValueTask RemoveQueueAsync(string name)
    {
        await using NatsClient client = server.NewClient();
        await NatsQueue<int>.DeleteAsync(client, name);
    }

    protected override async ValueTask DisposeBackendAsync()
    {
        foreach (NatsClient client in _clients)
        {
            await client.DisposeAsync();
        }
    }
}
