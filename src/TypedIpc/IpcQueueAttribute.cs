namespace TypedIpc;

/// <summary>
/// Marks a <c>[MemoryPackable] partial</c> message type (a class, record, struct, or a MemoryPack union's base class or
/// interface); the TypedIpc source generator then emits a typed queue class named after it (<c>Job</c> → <c>JobQueue</c>)
/// with these settings baked in.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Interface, AllowMultiple = false, Inherited = false)]
public sealed class IpcQueueAttribute : Attribute
{
    /// <summary>Marks the type; <paramref name="maxsize"/> counts items like Python's <c>Queue(maxsize)</c>, 0 = unbounded.</summary>
    public IpcQueueAttribute(int maxsize = 0)
    {
        MaxSize = maxsize;
    }

    /// <summary>The item bound of the generated queue (0 = bounded only by its byte capacity).</summary>
    public int MaxSize { get; }

    /// <summary>The default queue name of the generated queue; when unset, the message type's full name.</summary>
    public string? Name { get; init; }

    /// <summary>The per-message limit in bytes of the generated queue; when unset, <see cref="QueueOptions.DefaultMaxMessageBytes"/>.</summary>
    public int MaxMessageBytes { get; init; }

    /// <summary>
    /// Whether the generated queue is joinable (Python's <c>JoinableQueue</c>): it then implements
    /// <see cref="IJoinableQueue"/> (<c>TaskDone</c>, <c>Join</c>, <c>JoinAsync</c>) and opens with
    /// <see cref="QueueOptions.Joinable"/>. Shared memory only: such a queue has no <c>OpenAsync</c> over NATS.
    /// </summary>
    public bool Joinable { get; init; }
}
