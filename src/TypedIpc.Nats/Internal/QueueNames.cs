using System.Buffers;

namespace TypedIpc.Nats.Internal;

/// <summary>The JetStream names of one queue, all derived from the queue name (see docs/nats.md).</summary>
internal sealed class QueueNames
{
    public const int MaxNameLength = 200;

    /// <summary>The durable pull consumer that every getter of a queue shares.</summary>
    public const string ConsumerName = "getters";

    private static readonly SearchValues<char> NameCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");

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

    private static void Validate(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        int badCharacter = name.AsSpan().IndexOfAnyExcept(NameCharacters);
        string? problem =
            name.Length == 0 ? "is empty" :
            name.Length > MaxNameLength ? $"has {name.Length} characters, more than {MaxNameLength}" :
            badCharacter >= 0 ? $"contains the character '{name[badCharacter]}' (U+{(int)name[badCharacter]:X4})" :
            name[0] is '.' or '-' ? $"starts with '{name[0]}'" :
            name.EndsWith('.') || name.Contains("..", StringComparison.Ordinal) ? "has an empty subject token ('..' or a trailing '.')" :
            null;
        if (problem is not null)
        {
            throw new ArgumentException(
                $"The queue name \"{name}\" {problem}. Use 1 to {MaxNameLength} characters of A-Z, a-z, 0-9, '.', '_' " +
                "and '-', not starting with '.' or '-' (for example \"MyApp.Jobs\"), as for the shared-memory queue.",
                nameof(name));
        }
    }
}
