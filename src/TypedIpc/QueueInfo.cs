namespace TypedIpc;

/// <summary>
/// What one shared queue looked like when <see cref="SharedQueues.List"/> or <see cref="SharedQueues.Inspect"/> read
/// it: its settings, what it holds, who is attached and which claims wait for recovery. The words are read one at
/// a time while the queue runs, so the numbers are as approximate as <see cref="SharedQueue{T}.Count"/>.
/// </summary>
public sealed class QueueInfo
{
    /// <summary>The queue's name, as passed to <c>Open</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The queue's shared-memory file: <c>/dev/shm/typedipc.&lt;Name&gt;</c>.</summary>
    public required string Path { get; init; }

    /// <summary>
    /// Null when the file was read; otherwise why it could not be (not a regular file, a symbolic link, another
    /// user's file, truncated or damaged, another layout version), and what to do. Only <see cref="SharedQueues.List"/> reports
    /// such a file this way (every other member is then empty); <see cref="SharedQueues.Inspect"/> throws instead.
    /// </summary>
    public string? Error { get; init; }

    /// <summary>The schema fingerprint of the message type the queue was created for.</summary>
    public ulong SchemaFingerprint { get; init; }

    /// <summary>The message type's full name as its creator recorded it (at most 128 UTF-8 bytes); null when none was recorded.</summary>
    public string? TypeName { get; init; }

    /// <summary>The maxsize it was created with; 0 for a queue bounded only by its bytes.</summary>
    public int MaxSize { get; init; }

    /// <summary>How many items fit at once: <see cref="MaxSize"/>, or for an "unbounded" queue one per 64 bytes of <see cref="BytesCapacity"/>.</summary>
    public int Capacity { get; init; }

    /// <summary>The largest serialized message the queue takes (its <c>QueueOptions.MaxMessageBytes</c>).</summary>
    public int MaxMessageBytes { get; init; }

    /// <summary>Items put and not yet taken.</summary>
    public int Count { get; init; }

    /// <summary>Bytes of the records not yet released by their readers (what <see cref="SharedQueue{T}.BytesUsed"/> shows).</summary>
    public long BytesUsed { get; init; }

    /// <summary>
    /// Bytes producers count as taken: <see cref="BytesUsed"/> and the released records that a producer short of
    /// room has not yet reclaimed.
    /// </summary>
    public long BytesReserved { get; init; }

    /// <summary>Bytes of the record ring.</summary>
    public long BytesCapacity { get; init; }

    /// <summary>Whether <c>Shutdown</c> was called on the queue in any process.</summary>
    public bool IsShutDown { get; init; }

    /// <summary>Whether the queue was created joinable (<c>QueueOptions.Joinable</c>): it counts tasks for <c>Join</c>.</summary>
    public bool IsJoinable { get; init; }

    /// <summary>
    /// For a joinable queue, the tasks <c>Join</c> waits for: items in the queue and items got by live instances and not
    /// yet marked done; null when the queue is not joinable.
    /// </summary>
    public long? UnfinishedTasks { get; init; }

    /// <summary>
    /// For a joinable queue, the tasks of instances that died (or were disposed) holding them, not yet reported by a
    /// <c>Join</c>; null when the queue is not joinable.
    /// </summary>
    public long? AbandonedTasks { get; init; }

    /// <summary>Items ever put, modulo 2^32: two readings a second apart give the put rate.</summary>
    public uint ItemsPut { get; init; }

    /// <summary>Items ever taken, modulo 2^32.</summary>
    public uint ItemsTaken { get; init; }

    /// <summary>The threads of queue instances attached to the queue, live or dead (one entry per thread that used an instance).</summary>
    public IReadOnlyList<QueueAttachment> Attached { get; init; } = [];

    /// <summary>The unfinished puts and gets that hold part of the queue right now, by live or dead owners.</summary>
    public IReadOnlyList<QueueClaim> Claims { get; init; } = [];

    /// <summary>The claims whose owner is dead (or gone): the next put or get they block recovers them.</summary>
    public IReadOnlyList<QueueClaim> DeadClaims => Claims.Where(claim => !claim.OwnerAlive).ToArray();

    /// <summary>Whether the queue was read and none of its attached processes is alive: <see cref="SharedQueues.Purge"/> removes it.</summary>
    public bool IsAbandoned => Error is null && !Attached.Any(attachment => attachment.IsAlive);
}

/// <summary>One thread of a queue instance attached to a queue: an entry of the queue's process table.</summary>
/// <param name="Entry">The entry's index in the process table (0 to 1023).</param>
/// <param name="Pid">
/// The process id the owner recorded, for display only: a process in another PID namespace (another container) shows
/// the id it has there. Liveness never comes from it.
/// </param>
/// <param name="IsAlive">
/// Whether the owner lives, asked of the kernel: the owner holds a lock on the entry's byte of the queue file, which
/// the kernel drops when the process dies; an answer the kernel cannot give counts as alive.
/// </param>
/// <param name="Activity">What the thread is doing; for a dead owner, what it was doing when it died.</param>
public sealed record QueueAttachment(int Entry, int Pid, bool IsAlive, QueueActivity Activity);

/// <summary>What an attached thread is doing.</summary>
public enum QueueActivity
{
    /// <summary>Attached, in no call that waits or holds anything.</summary>
    Idle,

    /// <summary>Asleep in a get, waiting for an item.</summary>
    BlockedInGet,

    /// <summary>Asleep in a put, waiting for room.</summary>
    BlockedInPut,

    /// <summary>Holding the queue's tail: writing items (see <see cref="QueueClaimKind.Tail"/>).</summary>
    Putting,

    /// <summary>Holding items it took and has not finished reading (see <see cref="QueueClaimKind.TakenItems"/>).</summary>
    Getting,
}

/// <summary>An unfinished put or get that holds part of a queue.</summary>
/// <param name="Kind">What is held.</param>
/// <param name="FirstItem">The number (modulo 2^32) of the first item the claim covers.</param>
/// <param name="ItemCount">For <see cref="QueueClaimKind.TakenItems"/>, how many items; 0 for <see cref="QueueClaimKind.Tail"/>.</param>
/// <param name="Entry">The process-table entry of the owner; null when no entry owns it (its owner's entry was taken over).</param>
/// <param name="Pid">The owner's recorded process id, for display; null when unknown.</param>
/// <param name="OwnerAlive">Whether the owner lives (by the kernel lock, as for <see cref="QueueAttachment.IsAlive"/>).</param>
public sealed record QueueClaim(QueueClaimKind Kind, uint FirstItem, int ItemCount, int? Entry, int? Pid, bool OwnerAlive);

/// <summary>What a claim holds.</summary>
public enum QueueClaimKind
{
    /// <summary>
    /// The queue's tail: a producer is writing items from <see cref="QueueClaim.FirstItem"/> on, and other producers
    /// wait. If it died, the next blocked call keeps what it published and drops only what it had not.
    /// </summary>
    Tail,

    /// <summary>
    /// Items a consumer took and has not released: their room returns when it finishes. If it died, those messages
    /// died with it, and the next blocked put releases their room.
    /// </summary>
    TakenItems,
}
