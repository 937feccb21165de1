using NATS.Net;

namespace TypedIpc.Nats.Tests.Support;

/// <summary>
/// A test class that works on one queue of the shared nats-server: a fresh name for each test (xunit makes an
/// instance per test), a client, and the queue's stream deleted after the test, also when it failed.
/// </summary>
public abstract class NatsQueueTest(NatsServer server, string kind) : IAsyncLifetime
{
    /// <summary>The durable pull consumer that every getter of a queue shares (docs/nats.md).</summary>
    public const string SharedConsumer = "getters";

    protected NatsServer Server { get; } = server;

    protected string QueueName { get; } = $"nats-tests.{kind}.{Guid.NewGuid():N}";

    protected NatsClient Client { get; } = server.NewClient();

    /// <summary>The stream of this test's queue.</summary>
    protected string StreamName => StreamOf(QueueName);

    /// <summary>The stream of queue <paramref name="queueName"/>, as docs/nats.md maps names, written apart from the code under test.</summary>
    public static string StreamOf(string queueName) => "typedipc-" + queueName.Replace('.', '~');

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        await NatsQueue<int>.DeleteAsync(Client, QueueName);
        await Client.DisposeAsync();
    }
}
