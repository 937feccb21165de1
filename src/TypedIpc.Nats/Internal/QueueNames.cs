using TypedIpc.Internal;

namespace TypedIpc.Nats.Internal;

/// <summary>The JetStream names of one queue, all derived from the queue name (see docs/nats.md).</summary>
internal sealed class QueueNames
{
    /// <summary>The durable pull consumer that every getter of a queue shares.</summary>
    public const string ConsumerName = "getters";

    public QueueNames(string name)
    {
        Validate(name);
        Queue = name;
        // Stream names may not contain '.'; '~' is not allowed in queue names, so the mapping stays one-to-one.
        Stream = "typedipc-" + name.Replace('.', '~');
        Subject = "typedipc." + name;
        ShutDownSubject = "typedipc-shut-down." + name;
        EventSubject = "typedipc-events." + name;
        PullSubject = $"$JS.API.CONSUMER.MSG.NEXT.{Stream}.{ConsumerName}";
    }

    public string Queue { get; }

    public string Stream { get; }

    /// <summary>Where puts go while the queue is open.</summary>
    public string Subject { get; }

    /// <summary>The stream's subject once the queue is shut down: nobody publishes there, so the server refuses puts.</summary>
    public string ShutDownSubject { get; }

    /// <summary>Core NATS subject on which <c>Shutdown</c> wakes the waiters of every process at once.</summary>
    public string EventSubject { get; }

    public string PullSubject { get; }

    /// <summary>The shared-memory queue's rules, so that a name works on both backends, plus no empty subject token.</summary>
    private static void Validate(string name)
    {
        SharedRegion.ValidateName(name);
        if (name.EndsWith('.'))
        {
            throw new ArgumentException(
                $"The queue name \"{name}\" ends with '.', which would leave an empty token in its NATS subject; drop the '.'.",
                nameof(name));
        }
    }
}
