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
