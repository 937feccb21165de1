namespace TypedIpc;

/// <summary>
/// Settings of a shared queue beyond its name and <c>maxsize</c>. <see cref="MaxMessageBytes"/>,
/// <see cref="CapacityBytes"/> and <see cref="Joinable"/> shape the shared region, so every process that opens the queue must use the
/// same values (a difference throws <see cref="QueueMismatchException"/>); the others are local to a process.
/// </summary>
public sealed record QueueOptions
{
    /// <summary>The default per-message limit: 4 KiB, plenty for a path or an id, the tutorial's "small message".</summary>
    public const int DefaultMaxMessageBytes = 4096;

    /// <summary>The largest per-message limit: 16 MiB. Bigger data belongs in a file or a blob, not in a queue.</summary>
    public const int MaxMaxMessageBytes = 16 * 1024 * 1024;

    /// <summary>The default byte capacity of a queue created with <c>maxsize: 0</c>: 4 MiB of records.</summary>
    public const long DefaultCapacityBytes = 4L * 1024 * 1024;

    /// <summary>The default time a blocked call spins before it sleeps in the kernel: 50 µs.</summary>
    public static readonly TimeSpan DefaultSpinDuration = TimeSpan.FromMicroseconds(50);

    /// <summary>The options every call uses when it passes none.</summary>
    public static QueueOptions Default { get; } = new();

    /// <summary>
    /// The largest serialized message, in bytes (default <see cref="DefaultMaxMessageBytes"/>); a bigger message throws
    /// <see cref="MessageTooLargeException"/>. Messages take only their own size in the queue (rounded up to 64 bytes).
    /// </summary>
    public int MaxMessageBytes { get; init; } = DefaultMaxMessageBytes;

    /// <summary>
    /// The bytes of messages the queue holds at once (its records take their serialized size rounded up to 64 bytes).
    /// Null (the default): a queue created with <c>maxsize: 0</c> ("unbounded", as in Python) gets
    /// <see cref="DefaultCapacityBytes"/>, and one with a positive maxsize gets room for maxsize messages of
    /// <see cref="MaxMessageBytes"/>, so that only maxsize bounds it. Set, it bounds both kinds: when the bytes are
    /// taken a put behaves exactly like a put on a full queue (it waits, or throws <see cref="QueueFullException"/>);
    /// nothing is dropped or overwritten. It must hold at least two messages of <see cref="MaxMessageBytes"/>.
    /// </summary>
    public long? CapacityBytes { get; init; }

    /// <summary>
    /// Create a joinable queue (Python's <c>JoinableQueue</c>): every item got is a task until the getting instance
    /// calls <see cref="IJoinableQueue.TaskDone"/>, and <see cref="IJoinableQueue.Join"/> waits for all of them. Fixed at
    /// creation: every process must open the queue with the same value.
    /// </summary>
    public bool Joinable { get; init; }

    /// <summary>
    /// How long a blocked put or get spins, re-checking the queue, before it sleeps in the kernel
    /// (default <see cref="DefaultSpinDuration"/>). Spinning buys latency when the other side answers quickly;
    /// <see cref="TimeSpan.Zero"/> sleeps at once.
    /// </summary>
    public TimeSpan SpinDuration { get; init; } = DefaultSpinDuration;

    /// <summary>
    /// Permissions of the shared-memory file when this process creates it (default owner read/write, 0600).
    /// Add group bits to share a queue between users of one group.
    /// </summary>
    public UnixFileMode FilePermissions { get; init; } = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Open a queue file owned by another user. Off by default: another user's file at the queue's path may have
    /// been planted to read or feed this process's messages.
    /// </summary>
    public bool AllowForeignOwner { get; init; }
}
