using NATS.Client.JetStream.Models;

namespace TypedIpc.Nats;

/// <summary>
/// Settings of a <see cref="NatsQueue{T}"/> beyond its name and <c>maxsize</c>. <see cref="MaxMessageBytes"/>,
/// <see cref="CapacityBytes"/> and <see cref="Storage"/> shape the stream, so every process that opens the queue
/// must use the same values (a difference throws <see cref="QueueMismatchException"/>). <see cref="AckWait"/> and
/// <see cref="Replicas"/> are taken from the process that creates the queue; <see cref="RequestTimeout"/> is local.
/// </summary>
public sealed record NatsQueueOptions
{
    /// <summary>The default per-message limit: 4 KiB, as for the shared-memory queue.</summary>
    public const int DefaultMaxMessageBytes = QueueOptions.DefaultMaxMessageBytes;

    /// <summary>The default byte capacity of a queue created with <c>maxsize: 0</c>: 4 MiB, as for the shared-memory queue.</summary>
    public const long DefaultCapacityBytes = QueueOptions.DefaultCapacityBytes;

    /// <summary>The default time a message taken by a consumer that died stays invisible: 30 s.</summary>
    public static readonly TimeSpan DefaultAckWait = TimeSpan.FromSeconds(30);

    /// <summary>The default time one request may wait for the server before it counts as unreachable: 5 s.</summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The options every call uses when it passes none.</summary>
    public static NatsQueueOptions Default { get; } = new();

    /// <summary>
    /// The largest serialized message, in bytes (default <see cref="DefaultMaxMessageBytes"/>; at most the server's
    /// <c>max_payload</c>, 1 MiB unless configured, less 128 bytes for the header of a put). With that header's 128
    /// bytes it becomes the stream's <c>MaxMsgSize</c>; a bigger message throws <see cref="MessageTooLargeException"/>
    /// before anything is sent.
    /// </summary>
    public int MaxMessageBytes { get; init; } = DefaultMaxMessageBytes;

    /// <summary>
    /// What bounds a queue created with <c>maxsize: 0</c>: the stream's <c>MaxBytes</c> (default 4 MiB). When the
    /// stream holds that many bytes a put behaves as on a full queue. Ignored when <c>maxsize</c> is positive.
    /// </summary>
    public long CapacityBytes { get; init; } = DefaultCapacityBytes;

    /// <summary>
    /// How long a message taken by a consumer that has not acknowledged it stays invisible to the others before it
    /// is delivered again (the consumer's <c>AckWait</c>, default 30 s). A consumer that dies between taking a message
    /// and acknowledging it delays that message by this much; nothing is lost.
    /// </summary>
    public TimeSpan AckWait { get; init; } = DefaultAckWait;

    /// <summary>Where the stream keeps its messages: on disk (the default, survives a server restart) or in memory.</summary>
    public StreamConfigStorage Storage { get; init; } = StreamConfigStorage.File;

    /// <summary>How many servers of a JetStream cluster keep a copy of every message (1 to 5; default 1).</summary>
    public int Replicas { get; init; } = 1;

    /// <summary>
    /// How long one request may wait for the server before the server counts as unreachable (default 5 s). Calls
    /// that may wait (a blocking put or get) retry within their own timeout; the others throw
    /// <see cref="QueueUnavailableException"/>.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = DefaultRequestTimeout;
}
