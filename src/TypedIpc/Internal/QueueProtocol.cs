using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using Microsoft.Win32.SafeHandles;
using TypedIpc.Diagnostics;
using TypedIpc.Platform;
using static TypedIpc.Internal.Packing;

namespace TypedIpc.Internal;

// THE PROTOCOL: a bounded multi-producer / multi-consumer FIFO of variable-length records in shared memory
// (layout: QueueLayout.cs), safe against a process killed at any instruction.
//
// Items and records. Item i is described by its slot (Slot.IndexOf), whose State is [item | record | phase], the
// record being its length and place: one record of whole 64-byte lines in the data ring, at line position Start, or,
// when its bytes fit the slot's inline bytes, the slot itself, over Start (no lines). MemoryPack serializes
// straight into the ring at the Tail (a small record is then copied into its slot, leaving the ring's free lines
// untouched) and deserializes straight out of shared memory. A small message thus costs only its slot's lines. A
// message of an unmanaged type is its own raw bytes, copied without a serializer; one that fits its slot is put and
// got one at a time by a lean path (TryPutRaw, TryTakeRaw) that makes the same claims and stores as the general one.
//
//   (i, Free) ──producer──▶ (i, record, Ready) ──consumer takes it (Head CAS), reads, releases──▶
//   (i + SlotCount, record, Free)
//
// Producers: one at a time holds the Tail. Tail packs [items | line position | skipped | locked]. A producer that
// finds room (below) writes its intent (PutFrom = the Tail it saw) into its own process-table entry, then locks the
// Tail with one CAS, the only atomic read-modify-write of an uncontended put. Holding it, it serializes each record in place
// and fills its slot, and publishes the records it wrote, up to RecordsPerPublication at a time, in order, with a
// release store of (i, record, Ready) each; then it unlocks by storing the new Tail
// (always a value the Tail never had: if nothing was published the position moves on by one line) and clears its
// intent. A message that turns out too big, or a serializer that throws, leaves the queue as it was.
//
// Consumers: the item at Head is takeable when its slot reads (Head, Ready); a consumer writes its
// intent (GetFrom, GetCount) and takes the run of takeable items with one CAS on Head, reads each record in place
// and releases its slot with a release store of (i + SlotCount, record, Free), which keeps the record's place and
// length for the walks below. The expected states are computed from the positions, never loaded first.
//
// Room. Released packs [items | line position]: every item before it is released and every line before it is free.
// It is advanced lazily, in order, by producers short of room, who walk the released slots from it and CAS it
// forward: a record in the ring moves it to the record's end, one in its slot leaves it where it is. A Tail unlocked
// without a record skips a line (above) and carries the skipped flag, so the next record goes to the ring even if it
// would fit its slot: its Start tells the walk where the used lines go on, and the skipped line is free again.
// A put needs ItemBound - (Tail.items - Released.items) > 0 and the record's lines free at the Tail; a record that
// would cross the ring's end starts at line 0 of the next lap instead. While it has room for a largest record the
// producer serializes in place; otherwise it serializes into a thread buffer first, and waits for room for exactly
// that many lines.
//
// Liveness. Every thread of an attached queue instance owns a process-table entry by holding, through the
// instance's open file, an open-file-description lock on byte `index` of the queue file. The kernel drops the
// lock when the process dies, so "is the owner of this claim alive?" is "is that byte locked?" (F_OFD_GETLK): no
// /proc, no pids, correct across PID namespaces. An answer the kernel cannot give counts as alive.
//
// Recovery, by whoever is blocked, after its spin and then every LivenessPollInterval while it waits:
//   - A locked Tail whose holder is dead (no entry with PutFrom = that Tail is locked by a live owner): the items
//     the holder published (still Ready, or already taken and released) are kept, and the Tail is set just past
//     them (or one line on, if none) by CAS from the exact locked value. What the holder had not published is
//     lost, and only that.
//   - A released-walk stopped at item i taken by a consumer (Head > i) whose owner is dead (no live entry's
//     GetFrom/GetCount covers i): the slot is released by CAS from the exact state seen. That message died with
//     its reader.
// Intents are written before the CAS they announce and cleared after the claim ends, or at once when the CAS
// fails, so a live claimant's intent is always visible to anyone who sees its claim; a stale intent of a live
// process only delays a recovery until it is cleared. Taking a dead entry resets its intents, which leaves its
// claims ownerless: ownerless claims are recovered like dead ones.
//
// Sleeping. A blocked call spins for QueueOptions.SpinDuration, then announces itself by setting bit 0 of its
// side's futex word (consumers: ItemsFutex, producers: SpaceFutex; CAS, a full fence), makes every process that
// uses queues execute a full fence too (membarrier, see FutexWaiter), re-checks the queue, and sleeps on the
// word's value. So a publisher or releaser needs no fence of its own: after its release store it reads the word:
// the bit clear means nobody sleeps, and the fast path makes no syscall. The bit set: it bumps the word and wakes
// one sleeper per item; a wake that finds nobody clears the bit, so a sleeper killed in the kernel costs at most
// one wasted wake. Sleeps are bounded (SleepBound, LivenessPollInterval behind a claim), so a woken sleeper that
// is killed before it takes its item delays the others by at most that bound. An instance's awaited calls sleep
// through one thread per side (QueueWatcher), which announces, re-checks and sleeps the same way for all of them.
//
// Shutdown. The Lifecycle word only moves forward (open → shut down → shut down immediately), by a fenced
// write. Every put reads it before each attempt and throws once it is set; a get reads it before taking: shut
// down immediately, it takes and drops every ready item (a normal claim, so recovery and room work as always)
// and throws; shut down, it takes what is ready and throws only when nothing is ready and no producer holds the
// Tail (one that locked it before the shutdown publishes its items first). Shutdown then bumps and wakes both
// futex words: a sleeper either re-checked after the write, or announced before it, so the bump changes the word
// it sleeps on. A put racing the write may still land; it is ordered before the shutdown, and an immediate
// shutdown's gets drop it.
//
// Tasks (joinable queues only; QueueProtocol.Tasks.cs). Unfinished tasks are the items in the queue plus the
// tasks each instance holds in the Tasks word of its ledger entry. A get adds what it will take to that count
// before its Head CAS (and takes it back if the CAS fails), so an item is never out of the queue without being
// held; TaskDone subtracts one. A dead entry's held tasks are abandoned: whoever takes the entry folds them into the
// same word's abandoned half with one CAS, and Join, once the queue is empty and no live instance holds a task,
// consumes the abandoned counts (CAS) and reports them.
//
// Closing. Each call marks its entry lease busy (a plain store); Dispose sets the closing flag, issues a
// process-wide memory barrier (membarrier), wakes sleepers and waits for every lease to leave its call.
//
// Hostile or damaged regions. The geometry is read from the header once at attach. Every Start and Length is
// read once and checked before use (length within MaxMessageBytes, record inside the ring, Released never past
// the Tail); every ring index is taken modulo the ring; walks are bounded. A scribbled region can make calls
// fail, never make them touch memory outside the mapping.
internal sealed unsafe partial class QueueProtocol
{
    /// <summary>How often a call blocked behind another process's unfinished claim re-checks that process.</summary>
    public static readonly TimeSpan LivenessPollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>The longest sleep without a claim in the way (see "Sleeping" above).</summary>
    public static readonly TimeSpan SleepBound = TimeSpan.FromMilliseconds(200);

    private const int PausesPerClockRead = 64;
    private const int PausesPerYield = 64 * 16;
    private const int MinPausesPerProducerLook = 8;
    private const int MaxPausesPerProducerLook = 128;
    private const int QueuedItemsPerProducerPause = 8;

    /// <summary>
    /// A batch put publishes its records this many at a time: a consumer that sees them one by one would wait on each
    /// slot while the producer writes it, pulling its line to and fro, and take them in runs of one or two.
    /// </summary>
    public const int RecordsPerPublication = 32;

    /// <summary>The key under which a canceled batch put records, in the exception's Data, how many items went in.</summary>
    public const string ItemsPutKey = "TypedIpc.ItemsPut";

    private static readonly bool s_publishersFence = !ProcessSharedWaiter.ForCurrentPlatform.FencesPublishersForSleepers;

    /// <summary>The calling thread's lease of the queue it used last: one thread-static read on the fast path.</summary>
    [ThreadStatic]
    private static EntryLease? t_lease;

    /// <summary>The lease of the queue it used before that: a thread that gets from one queue and puts on another
    /// (a pipeline stage, a ping-pong) alternates between two leases without looking them up.</summary>
    [ThreadStatic]
    private static EntryLease? t_previousLease;

    private readonly QueueHeader* _header;
    private readonly ProcessEntry* _table;
    private readonly byte* _slots;
    private readonly byte* _data;
    private readonly SlotOrder _slotOrder;
    private readonly int _inlineBytes;

    /// <summary>The largest record of raw bytes copied straight into (and out of) a slot: one that fits, within the limit.</summary>
    private readonly int _largestRawInSlot;
    private readonly uint _slotCount;
    private readonly uint _dataLines;
    private readonly uint _positions;
    private readonly uint _itemBound;
    private readonly int _maxMessageBytes;
    private readonly int _maxRecordLines;
    private readonly SafeFileHandle _file;
    private readonly IProcessSharedWaiter _waiter;
    private readonly IProcessLiveness _liveness;
    private readonly long _spinTicks;
    private readonly long _livenessPollTicks = ToStopwatchTicks(LivenessPollInterval);
    private readonly long _sleepBoundTicks = ToStopwatchTicks(SleepBound);
    private readonly List<EntryLease> _leases = [];
    private readonly bool[] _ownEntries = new bool[QueueGeometry.ProcessTableCapacity];
    private volatile bool _closing;

    /// <summary>The queue's name, for the metrics (<see cref="QueueMetrics"/>).</summary>
    public string Name { get; init; } = "";

    private enum Side
    {
        Producer,
        Consumer,
    }

    private enum BlockerKind
    {
        /// <summary>Nothing claimed is in the way: the queue is full or empty.</summary>
        Nothing,

        /// <summary>The Tail is locked by another producer (Observed: the locked Tail).</summary>
        LockedTail,

        /// <summary>The released-walk stopped at an item not yet released (Item, and Observed: its slot state).</summary>
        HeldItem,
    }

    /// <summary>What stopped an attempt.</summary>
    private readonly record struct Blocker(BlockerKind Kind, ulong Observed, uint Item);

    /// <summary>Where one blocked call stands: its deadline, fixed when it first has to wait, spinning and sleeping.</summary>
    private struct WaitState(WaitLimit limit, CancellationToken cancellationToken)
    {
        public readonly WaitLimit Limit = limit;
        public readonly CancellationToken CancellationToken = cancellationToken;
        public long Deadline;
        public long BlockedSince;
        public long LastLivenessCheck;
        public int AnnouncedValue;
        public bool Announced;
        public bool RecoveredAtDeadline;
        public int Spins;
    }

    /// <summary>The room a producer found: a snapshot of Released, and the free lines and items it leaves.</summary>
    private readonly record struct Room(uint FreeLines, uint FreeItems);

    public QueueProtocol(SharedRegion region, IProcessSharedWaiter waiter, IProcessLiveness liveness, TimeSpan spinDuration)
    {
        QueueGeometry geometry = region.Geometry;
        _header = (QueueHeader*)region.Base;
        _table = (ProcessEntry*)(region.Base + QueueGeometry.ProcessTableOffset);
        _slots = region.Base + QueueGeometry.SlotsOffset;
        _data = region.Base + geometry.DataOffset;
        _slotCount = (uint)geometry.SlotCount;
        _slotOrder = geometry.SlotOrder;
        _inlineBytes = geometry.InlineBytes;
        _largestRawInSlot = Math.Min(_inlineBytes, geometry.MaxMessageBytes);
        _dataLines = (uint)geometry.DataLines;
        _positions = 2 * _dataLines;
        _itemBound = (uint)geometry.ItemBound;
        _maxMessageBytes = geometry.MaxMessageBytes;
        _maxRecordLines = geometry.MaxRecordLines;
        _file = region.File;
        _waiter = waiter;
        _liveness = liveness;
        _spinTicks = ToStopwatchTicks(spinDuration);
    }

    /// <summary>Writes the initial state of a region that nobody else can see yet.</summary>
    public static void Initialize(QueueHeader* header, QueueGeometry geometry)
    {
        var table = (ProcessEntry*)((byte*)header + QueueGeometry.ProcessTableOffset);
        for (int i = 0; i < QueueGeometry.ProcessTableCapacity; i++)
        {
            table[i].PutFrom = ProcessEntry.NoIntent;
            table[i].GetFrom = ProcessEntry.NoIntent;
        }

        for (uint i = 0; i < (uint)geometry.SlotCount; i++)
        {
            ((Slot*)((byte*)header + geometry.SlotOffsetOf(i)))->State = SlotState(i, SlotPhase.Free, Record(0, inRing: false));
        }
    }

    public int Count => (int)Math.Clamp((int)(ItemsOf(Volatile.Read(ref _header->Tail)) - HeadItems), 0, (int)_itemBound);

    public int ItemBound => (int)_itemBound;

    public long BytesCapacity => (long)_dataLines * QueueGeometry.LineBytes;

    public long BytesUsed
    {
        get
        {
            ulong released = AdvanceReleased(out _);
            return (long)Distance(ReleasedPosition(released), TailPosition(Volatile.Read(ref _header->Tail))) * QueueGeometry.LineBytes;
        }
    }

    private uint HeadItems => (uint)Volatile.Read(ref _header->Head);

    // ───────────────────────────── attach, calls and detach ─────────────────────────────

    /// <summary>
    /// Marks the calling thread's entry busy for one call (taking an entry on the thread's first call).
    /// Pair with <see cref="Exit"/> in a finally.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public EntryLease Enter()
    {
        EntryLease? lease = t_lease;
        if (lease is null || !ReferenceEquals(lease.Protocol, this))
        {
            lease = SwitchLease(lease);
        }

        Volatile.Write(ref lease.InCall, 1);
        if (_closing)
        {
            Volatile.Write(ref lease.InCall, 0);
            throw Closed();
        }

        return lease;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Exit(EntryLease lease) => Volatile.Write(ref lease.InCall, 0);

    /// <summary>
    /// Ends every call of this instance (blocked ones throw <see cref="ObjectDisposedException"/>) and gives its
    /// entries back. The caller then closes the file, which drops the entries' locks.
    /// </summary>
    public void Close()
    {
        _closing = true;
        // Pairs with the plain store + load in Enter: after this, either a caller saw _closing, or it is visible
        // as busy below.
        Interlocked.MemoryBarrierProcessWide();
        WakeEverySleeper();
        lock (_leases)
        {
            foreach (EntryLease lease in _leases)
            {
                SpinWait.SpinUntil(() => Volatile.Read(ref lease.InCall) == 0);
                lease.Entry->Pid = 0;
                _liveness.Unlock(_file, lease.Index);
            }
        }
    }

    /// <summary>Makes this queue's lease the calling thread's current one; <paramref name="current"/> becomes the previous.</summary>
    private EntryLease SwitchLease(EntryLease? current)
    {
        EntryLease? previous = t_previousLease;
        EntryLease lease = previous is not null && ReferenceEquals(previous.Protocol, this) ? previous : LeaseForCurrentThread();
        t_previousLease = current;
        t_lease = lease;
        return lease;
    }

    private EntryLease LeaseForCurrentThread()
    {
        EntryLease lease;
        lock (_leases)
        {
            if (_closing)
            {
                throw Closed();
            }

            lease = _leases.Find(l => l.Owner == Thread.CurrentThread)
                ?? _leases.Find(l => !l.Owner.IsAlive && Volatile.Read(ref l.InCall) == 0)
                ?? TakeEntry();
            lease.Owner = Thread.CurrentThread;
        }

        return lease;
    }

    /// <summary>Takes a process-table entry: one never used first, then any whose lock nobody holds.</summary>
    private EntryLease TakeEntry()
    {
        for (int pass = 0; pass < 2; pass++)
        {
            for (int i = 0; i < QueueGeometry.ProcessTableCapacity; i++)
            {
                ProcessEntry* entry = &_table[i];
                if (_ownEntries[i] || (pass == 0 && Volatile.Read(ref entry->Pid) != 0) || !_liveness.TryLock(_file, i))
                {
                    continue;
                }

                // A dead owner's claims become ownerless here, and are recovered as such by whoever they block.
                Volatile.Write(ref entry->PutFrom, ProcessEntry.NoIntent);
                Volatile.Write(ref entry->GetFrom, ProcessEntry.NoIntent);
                entry->GetCount = 0;
                FoldHeldIntoAbandoned(entry);
                entry->Activity = (int)EntryActivity.Idle;
                Volatile.Write(ref entry->Pid, Environment.ProcessId);
                _ownEntries[i] = true;
                var lease = new EntryLease(this, i, entry);
                _leases.Add(lease);
                return lease;
            }
        }

        throw new SharedMemoryException(
            $"{QueueGeometry.ProcessTableCapacity} threads of live processes are attached to this queue already. " +
            "Dispose queue instances you no longer use, or use each instance from fewer threads.");
    }

    // ───────────────────────────── producer ─────────────────────────────

    /// <summary>
    /// Puts <paramref name="count"/> records from <paramref name="source"/>, in order. Returns how many went in before
    /// the wait ended (all of them unless the limit ran out).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Put<TSource>(EntryLease lease, scoped ref TSource source, int count, WaitLimit limit, CancellationToken cancellationToken)
        where TSource : IRecordSource, allows ref struct =>
        count == 1 && source.RawSize <= _largestRawInSlot && TryPutRaw(lease, ref source)
            ? 1
            : PutRecords(lease, ref source, count, limit, cancellationToken);

    /// <summary><see cref="Put"/> of any records.</summary>
    private int PutRecords<TSource>(EntryLease lease, scoped ref TSource source, int count, WaitLimit limit, CancellationToken cancellationToken)
        where TSource : IRecordSource, allows ref struct
    {
        // The uncontended put, apart from the waiting loop so that it keeps its locals in registers: the Tail free and
        // room for a largest record at once.
        ulong tail;
        if (Volatile.Read(ref _header->Lifecycle) == (int)QueueLifecycle.Open
            && !IsLocked(tail = Volatile.Read(ref _header->Tail))
            && TailPosition(tail) < _positions
            && TryFindRoom(tail, _maxRecordLines, out Room room, out _)
            && TryLockTail(lease, tail))
        {
            ArrayBufferWriter<byte>? serialized = null;
            int done = WriteHoldingTail(lease, tail, room, ref source, 0, count, ref serialized);
            return done == count ? done : PutWaiting(lease, ref source, done, count, serialized, limit, cancellationToken);
        }

        return PutWaiting(lease, ref source, 0, count, null, limit, cancellationToken);
    }

    /// <summary>
    /// The uncontended put of one record that is its item's raw bytes in its slot: it takes no line of the ring, so it
    /// needs only a free item, and nothing in it can fail while it holds the Tail, so it needs no serializer, no overflow
    /// handling and no batch loop. False: nothing was done, and <see cref="Put"/> goes on as for any record.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryPutRaw<TSource>(EntryLease lease, scoped ref TSource source)
        where TSource : IRecordSource, allows ref struct
    {
        ulong tail = Volatile.Read(ref _header->Tail);
        uint items = ItemsOf(tail);
        uint position = TailPosition(tail);
        if (Volatile.Read(ref _header->Lifecycle) != (int)QueueLifecycle.Open
            || IsLockedOrSkipped(tail)
            || position >= _positions
            || items - ItemsOf(Volatile.Read(ref _header->Released)) >= _itemBound
            || !TryLockTail(lease, tail))
        {
            return false;
        }

        Slot* slot = SlotFor(items);
        source.WriteRaw(0, InlineBytesOf(slot));
        Volatile.Write(ref slot->State, SlotState(items, SlotPhase.Ready, Record(source.RawSize, inRing: false)));
        UnlockTail(lease, Tail(items + 1, position), published: 1);
        return true;
    }

    /// <summary>The rest of <see cref="Put"/> after <paramref name="done"/> records: the loop that waits for room.</summary>
    private int PutWaiting<TSource>(
        EntryLease lease, scoped ref TSource source, int done, int count, ArrayBufferWriter<byte>? serialized, WaitLimit limit,
        CancellationToken cancellationToken)
        where TSource : IRecordSource, allows ref struct
    {
        var wait = new WaitState(limit, cancellationToken);
        while (done < count)
        {
            if (Volatile.Read(ref _header->Lifecycle) != (int)QueueLifecycle.Open)
            {
                throw PutAfterShutDown(done);
            }

            ulong tail = Volatile.Read(ref _header->Tail);
            if (TailPosition(tail) >= _positions)
            {
                throw Damaged($"the Tail stands at line position {TailPosition(tail)}, outside the ring");
            }

            Blocker blocker;
            if (IsLocked(tail))
            {
                blocker = new Blocker(BlockerKind.LockedTail, tail, 0);
            }
            else
            {
                int needLines = serialized is null ? _maxRecordLines : (int)RingLines(serialized.WrittenCount, !HasSkipped(tail));
                if (TryFindRoom(tail, needLines, out Room room, out blocker))
                {
                    if (TryLockTail(lease, tail))
                    {
                        done += WriteHoldingTail(lease, tail, room, ref source, done, count, ref serialized);
                        wait.Spins = 0;
                    }

                    continue;
                }

                if (serialized is null)
                {
                    // Not room for a largest record: learn this one's size, then wait for exactly its room.
                    serialized = SerializeAside(ref source, done);
                    continue;
                }
            }

            try
            {
                if (TrySpin(ref wait, ProducerPausesPerLook(tail)))
                {
                    continue;
                }

                if (!AwaitChange(lease, ref wait, Side.Producer, blocker))
                {
                    break;
                }
            }
            catch (OperationCanceledException e) when (done > 0)
            {
                e.Data[ItemsPutKey] = done;
                throw;
            }
        }

        return done;
    }

    /// <summary>
    /// How long a producer short of room pauses between looks. A full queue's producer looks again less often than a
    /// consumer: each look reads the slot a consumer is about to release, and pulling that line away slows the consumer
    /// it waits for. The more items wait ahead of the consumers, the longer it can pause without leaving them idle: one
    /// pause (about 25 ns) per 8 queued items, far below what getting them takes, and at most 128 (3 µs). It then
    /// refills a large queue in longer runs (SPSC Job in batches of 32, maxsize 1024: medians +2 to +12% over a fixed 8
    /// pauses in three sets of paired rounds); queues of up to 64 items pause 8 as before.
    /// </summary>
    private int ProducerPausesPerLook(ulong tail)
    {
        uint queued = ItemsOf(tail) - ItemsOf(Volatile.Read(ref _header->Released));
        return (int)Math.Clamp(queued / QueuedItemsPerProducerPause, MinPausesPerProducerLook, MaxPausesPerProducerLook);
    }

    /// <summary>Announces the intent, then locks the Tail from <paramref name="tail"/> with one CAS; clears the intent if another won it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryLockTail(EntryLease lease, ulong tail)
    {
        lease.Entry->PutFrom = tail;
        if (Interlocked.CompareExchange(ref _header->Tail, Locked(tail), tail) == tail)
        {
            return true;
        }

        lease.Entry->PutFrom = ProcessEntry.NoIntent;
        return false;
    }

    /// <summary>Writes records while the locked Tail's room lasts, publishes them, and unlocks the Tail.</summary>
    private int WriteHoldingTail<TSource>(
        EntryLease lease, ulong tail, Room room, scoped ref TSource source, int first, int count, ref ArrayBufferWriter<byte>? serialized)
        where TSource : IRecordSource, allows ref struct
    {
        uint items = ItemsOf(tail);
        uint unpublished = items;
        uint position = TailPosition(tail);
        uint freeLines = room.FreeLines;
        uint freeItems = room.FreeItems;
        bool fitsSlot = source.RawSize <= _largestRawInSlot;

        // The first record after lines a Tail skipped goes to the ring: its Start then tells walks where used lines go on.
        bool slotsAllowed = !HasSkipped(tail);
        RecordWriter writer = lease.Writer;
        ulong[] unpublishedRecords = lease.UnpublishedRecords;
        if (count - first > 1 && Sse.IsSupported)
        {
            // A batch's slots were released by consumers on other cores: ask for all their lines at once rather than
            // waiting for each in turn when its record is written.
            uint batch = Math.Min((uint)(count - first), freeItems);
            for (uint i = 0; i < batch; i++)
            {
                Sse.Prefetch0(SlotFor(items + i));
            }
        }

        int written = 0;
        Exception? failure = null;
        try
        {
            while (first + written < count && freeItems > 0)
            {
                int needLines = serialized is null ? _maxRecordLines : (int)RingLines(serialized.WrittenCount, slotsAllowed);
                if (!TryPlace(position, (uint)needLines, freeLines, out uint start, out uint contiguousLines))
                {
                    break;
                }

                Slot* slot = SlotFor(items);
                byte* record = _data + (long)LineIndex(start) * QueueGeometry.LineBytes;
                int length;
                uint lines;
                if (serialized is not null)
                {
                    length = serialized.WrittenCount;
                    lines = RingLines(length, slotsAllowed);
                    serialized.WrittenSpan.CopyTo(new Span<byte>(lines == 0 ? InlineBytesOf(slot) : record, length));
                    serialized = null;
                    SerializationBuffer.ReleaseIfLarge();
                }
                else if (fitsSlot && slotsAllowed)
                {
                    length = source.RawSize;
                    lines = 0;
                    source.WriteRaw(first + written, InlineBytesOf(slot));
                }
                else
                {
                    // Serialized at the Tail, where the ring's free lines stay this producer's, and copied into its slot if
                    // small: written in parts into the slot, it would pull the slot's line away from a consumer watching it
                    // at every part.
                    writer.Reset(record, (int)Math.Min(contiguousLines * (long)QueueGeometry.LineBytes, int.MaxValue));
                    try
                    {
                        source.Write(first + written, writer);
                    }
                    catch (RecordWriter.OverflowException)
                    {
                        // Bigger than the room in place: serialize it aside and wait for its exact room.
                        serialized = SerializeAside(ref source, first + written);
                        break;
                    }

                    length = writer.Written;
                    if (length > _maxMessageBytes)
                    {
                        failure = source.TooLarge(first + written, length);
                        break;
                    }

                    lines = RingLines(length, slotsAllowed);
                    if (lines == 0)
                    {
                        Buffer.MemoryCopy(record, InlineBytesOf(slot), _inlineBytes, length);
                    }
                }

                if (lines == 0)
                {
                    start = position;
                }
                else
                {
                    slot->Start = start;
                }

                unpublishedRecords[(int)(items - unpublished)] = Record(length, inRing: lines > 0);
                slotsAllowed = true;
                freeLines -= Distance(position, start) + lines;
                freeItems--;
                position = Advance(start, lines);
                items++;
                written++;
                if (items - unpublished == RecordsPerPublication)
                {
                    unpublished = Publish(unpublished, items, unpublishedRecords);
                }
            }
        }
        catch (Exception e)
        {
            failure = e;
        }

        Publish(unpublished, items, unpublishedRecords);

        // A Tail value never seen before, even when nothing was published, so that a recoverer who saw the locked
        // value can never mistake a later lock for this one.
        UnlockTail(lease, written == 0 ? SkippedTail(items, Advance(position, 1)) : Tail(items, position), written);
        if (failure is not null)
        {
            ExceptionDispatchInfoThrow(failure);
        }

        return written;
    }

    /// <summary>
    /// Stores the Tail past what the holder published, clears its intent, and wakes a consumer per published item and
    /// a producer that may wait for the Tail.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void UnlockTail(EntryLease lease, ulong tail, int published)
    {
        Volatile.Write(ref _header->Tail, tail);
        lease.Entry->PutFrom = ProcessEntry.NoIntent;
        FenceAfterPublishing();
        if (published > 0)
        {
            WakeIfAnnounced(&_header->ItemsFutex, published);
        }

        WakeIfAnnounced(&_header->SpaceFutex, 1);
    }

    /// <summary>
    /// Marks the written items [<paramref name="from"/>, <paramref name="to"/>) Ready with their
    /// <paramref name="records"/>, in order; returns <paramref name="to"/>.
    /// </summary>
    private uint Publish(uint from, uint to, ReadOnlySpan<ulong> records)
    {
        for (uint item = from; item != to; item++)
        {
            Volatile.Write(ref SlotFor(item)->State, SlotState(item, SlotPhase.Ready, records[(int)(item - from)]));
        }

        return to;
    }

    private ArrayBufferWriter<byte> SerializeAside<TSource>(scoped ref TSource source, int index)
        where TSource : IRecordSource, allows ref struct
    {
        ArrayBufferWriter<byte> buffer = SerializationBuffer.Rent();
        source.Write(index, buffer);
        if (buffer.WrittenCount > _maxMessageBytes)
        {
            int size = buffer.WrittenCount;
            SerializationBuffer.ReleaseIfLarge();
            throw source.TooLarge(index, size);
        }

        return buffer;
    }

    /// <summary>Room at <paramref name="tail"/> for one record of <paramref name="needLines"/> and an item; advances Released when short.</summary>
    private bool TryFindRoom(ulong tail, int needLines, out Room room, out Blocker blocker)
    {
        blocker = default;
        ulong released = Volatile.Read(ref _header->Released);
        for (int attempt = 0; ; attempt++)
        {
            uint usedLines = Distance(ReleasedPosition(released), TailPosition(tail));
            uint usedItems = ItemsOf(tail) - ItemsOf(released);
            if (usedLines <= _dataLines && usedItems <= _itemBound)
            {
                room = new Room(_dataLines - usedLines, _itemBound - usedItems);
                if (room.FreeItems > 0 && TryPlace(TailPosition(tail), (uint)needLines, room.FreeLines, out _, out _))
                {
                    return true;
                }
            }

            if (attempt == 1)
            {
                room = default;
                return false;
            }

            released = AdvanceReleased(out blocker);
        }
    }

    /// <summary>
    /// Where a record of <paramref name="lines"/> goes at <paramref name="position"/>: there, or at line 0 of the next
    /// lap when it would cross the ring's end; false when the free lines do not hold it (and any skipped lines).
    /// </summary>
    private bool TryPlace(uint position, uint lines, uint freeLines, out uint start, out uint contiguousLines)
    {
        uint toEnd = _dataLines - LineIndex(position);
        if (lines <= toEnd && lines <= freeLines)
        {
            start = position;
            contiguousLines = Math.Min(toEnd, freeLines);
            return true;
        }

        if (lines > toEnd && (ulong)toEnd + lines <= freeLines)
        {
            start = Advance(position, toEnd);
            contiguousLines = Math.Min(_dataLines, freeLines - toEnd);
            return true;
        }

        start = contiguousLines = 0;
        return false;
    }

    /// <summary>
    /// Walks the released items from Released and moves it past them; reports the item it stopped at (waiting to be
    /// taken, or held by a consumer). Reads no consumer-written word but the slots, so that a producer spinning on a
    /// full queue does not pull the consumers' lines away from them. Returns Released as it stands afterwards.
    /// </summary>
    private ulong AdvanceReleased(out Blocker blocker)
    {
        ulong released = Volatile.Read(ref _header->Released);
        if (!TryWalkReleased(released, Volatile.Read(ref _header->Tail), out ulong advanced, out blocker))
        {
            // Someone moved Released on meanwhile.
            return Volatile.Read(ref _header->Released);
        }

        if (advanced == released)
        {
            return released;
        }

        ulong seen = Interlocked.CompareExchange(ref _header->Released, advanced, released);
        return seen == released ? advanced : seen;
    }

    /// <summary>
    /// Walks the released items from <paramref name="released"/> up to <paramref name="tail"/> (read after it) without
    /// writing anything: <paramref name="walked"/> is Released moved past them. False when the walk went stale because
    /// Released moved on meanwhile.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryWalkReleased(ulong released, ulong tail, out ulong walked, out Blocker blocker)
    {
        blocker = default;
        uint item = ItemsOf(released);
        uint position = ReleasedPosition(released);
        uint tailItems = ItemsOf(tail);
        uint tailPosition = TailPosition(tail);
        for (uint step = 0; item != tailItems && step < _slotCount; step++)
        {
            Slot* slot = SlotFor(item);
            ulong state = Volatile.Read(ref slot->State);
            if (!Is(state, item + _slotCount, SlotPhase.Free))
            {
                // Only a Ready item is waiting or held: any other state means this walk is stale (another walk moved
                // Released on and the slot serves a later item), and is no claim to recover.
                if (Is(state, item, SlotPhase.Ready))
                {
                    blocker = new Blocker(BlockerKind.HeldItem, state, item);
                }

                break;
            }

            if (IsInRing(state))
            {
                if (!TryRingExtent(slot, state, out uint start, out uint end) || Distance(position, end) > Distance(position, tailPosition))
                {
                    if (Volatile.Read(ref _header->Released) != released)
                    {
                        // The slot is serving a new item: not damage.
                        walked = released;
                        return false;
                    }

                    throw Damaged(
                        $"the released record of item {item} claims lines {start}+{RecordLength(state)} bytes, outside the used part of the ring");
                }

                position = end;
            }

            item++;
        }

        walked = Packing.Released(item, position);
        return true;
    }

    // ───────────────────────────── consumer ─────────────────────────────

    /// <summary>
    /// Takes up to <paramref name="max"/> records, waiting for the first one; hands each to <paramref name="sink"/>.
    /// Returns how many the sink received; 0 when the queue stayed empty for the whole wait.
    /// </summary>
    public int Take<TSink>(EntryLease lease, scoped ref TSink sink, int max, WaitLimit limit, CancellationToken cancellationToken)
        where TSink : IRecordSink, allows ref struct
    {
        // The get that finds an item at once, apart from the waiting loop, as in Put.
        int taken;
        if (Volatile.Read(ref _header->Lifecycle) != (int)QueueLifecycle.ShutDownImmediately
            && (taken = TryTake(lease, ref sink, max, out _, out _)) > 0)
        {
            return taken;
        }

        return TakeWaiting(lease, ref sink, max, limit, cancellationToken);
    }

    /// <summary>
    /// Takes and reads the run of ready items at Head, up to <paramref name="max"/>; 0 when the item at
    /// <paramref name="head"/> is not ready (its slot reads <paramref name="state"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int TryTake<TSink>(EntryLease lease, scoped ref TSink sink, int max, out uint head, out ulong state)
        where TSink : IRecordSink, allows ref struct
    {
        if (max == 1 && sink.RawSize <= _largestRawInSlot && _heldTasks is null)
        {
            if (TryTakeRaw(lease, ref sink, out head, out state))
            {
                return 1;
            }

            if (!Is(state, head, SlotPhase.Ready))
            {
                return 0;
            }
        }

        uint run = TryClaimRun(lease, (uint)max, _heldTasks, out head, out state);
        return run == 0 ? 0 : _heldTasks is null ? ReadTaken(lease, head, run, ref sink) : ReadTakenAsTasks(lease, head, run, ref sink);
    }

    /// <summary>
    /// The get of one record that is an item's raw bytes in its slot (see <see cref="TryPutRaw"/>), without the batch
    /// loop and deserializer of <see cref="ReadTaken"/>. False when the item at Head is not ready, or its record is not
    /// such bytes (then <see cref="TryClaimRun"/> takes it as any record).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryTakeRaw<TSink>(EntryLease lease, scoped ref TSink sink, out uint head, out ulong state)
        where TSink : IRecordSink, allows ref struct
    {
        while (true)
        {
            ulong headWord = Volatile.Read(ref _header->Head);
            head = (uint)headWord;
            Slot* slot = SlotFor(head);
            state = Volatile.Read(ref slot->State);
            if (state != SlotState(head, SlotPhase.Ready, Record(sink.RawSize, inRing: false)))
            {
                return false;
            }

            lease.Entry->GetCount = 1;
            Volatile.Write(ref lease.Entry->GetFrom, head);
            if (Interlocked.CompareExchange(ref _header->Head, head + 1, headWord) == headWord)
            {
                sink.ReadRaw(0, InlineBytesOf(slot));
                Volatile.Write(ref slot->State, ReleasedState(head, state));
                EndTake(lease, released: 1);
                return true;
            }

            lease.Entry->GetFrom = ProcessEntry.NoIntent;
        }
    }

    /// <summary>The rest of <see cref="Take"/>: the loop that waits for an item.</summary>
    private int TakeWaiting<TSink>(EntryLease lease, scoped ref TSink sink, int max, WaitLimit limit, CancellationToken cancellationToken)
        where TSink : IRecordSink, allows ref struct
    {
        var wait = new WaitState(limit, cancellationToken);
        while (true)
        {
            if (Volatile.Read(ref _header->Lifecycle) == (int)QueueLifecycle.ShutDownImmediately)
            {
                Discard(lease);
                throw GetAfterShutDown();
            }

            int taken = TryTake(lease, ref sink, max, out uint head, out ulong state);
            if (taken > 0)
            {
                return taken;
            }

            if (!Is(state, head, SlotPhase.Free) && !Is(state, head - _slotCount, SlotPhase.Ready) && HeadItems == head)
            {
                // Neither waiting for its producer nor still held by a reader of the previous lap, while nobody took it.
                throw Damaged($"the slot of item {head} holds the state of item {ItemsOf(state)} ({(SlotPhase)(state & 1)})");
            }

            if (Volatile.Read(ref _header->Lifecycle) != (int)QueueLifecycle.Open && IsDrained(head))
            {
                throw GetAfterShutDown();
            }

            if (TrySpin(ref wait, pauses: 1))
            {
                continue;
            }

            ulong tail = Volatile.Read(ref _header->Tail);
            Blocker blocker = IsLocked(tail) && (int)(head - ItemsOf(tail)) >= 0
                ? new Blocker(BlockerKind.LockedTail, tail, 0)
                : default;
            if (!AwaitChange(lease, ref wait, Side.Consumer, blocker))
            {
                return 0;
            }
        }
    }

    /// <summary>
    /// Claims the run of ready items at Head, up to <paramref name="max"/>, with one CAS (retried while others win it):
    /// returns its length, 0 when the item at <paramref name="head"/> is not ready (its slot reads <paramref name="state"/>).
    /// A joinable queue's get counts the run as held tasks in <paramref name="heldTasks"/> before the CAS (see "Tasks").
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint TryClaimRun(EntryLease lease, uint max, ulong* heldTasks, out uint head, out ulong state)
    {
        while (true)
        {
            ulong headWord = Volatile.Read(ref _header->Head);
            head = (uint)headWord;
            state = Volatile.Read(ref SlotFor(head)->State);
            if (!Is(state, head, SlotPhase.Ready))
            {
                return 0;
            }

            uint run = 1;
            while (run < max && Is(Volatile.Read(ref SlotFor(head + run)->State), head + run, SlotPhase.Ready))
            {
                run++;
            }

            lease.Entry->GetCount = run;
            Volatile.Write(ref lease.Entry->GetFrom, head);
            if (heldTasks is not null)
            {
                Interlocked.Add(ref *heldTasks, run);
            }

            if (Interlocked.CompareExchange(ref _header->Head, head + run, headWord) == headWord)
            {
                return run;
            }

            lease.Entry->GetFrom = ProcessEntry.NoIntent;
            if (heldTasks is not null)
            {
                Interlocked.Add(ref *heldTasks, unchecked(0UL - run));
            }
        }
    }

    /// <summary>True when nothing is ready at <paramref name="head"/> and no producer holds the Tail to publish more.</summary>
    private bool IsDrained(uint head)
    {
        ulong tail = Volatile.Read(ref _header->Tail);
        return !IsLocked(tail) && ItemsOf(tail) == head;
    }

    /// <summary>Takes and drops every ready item, as gets would (an immediate shutdown's discard).</summary>
    private void Discard(EntryLease lease)
    {
        var sink = new DiscardingSink();
        uint run;
        while ((run = TryClaimRun(lease, _slotCount, heldTasks: null, out uint head, out _)) > 0)
        {
            try
            {
                ReadTaken(lease, head, run, ref sink);
            }
            catch (MessageCorruptedException)
            {
                // A damaged record is released all the same, and dropped like the rest.
            }
        }
    }

    /// <summary>Reads the taken items [first, first + run) in place, releases their slots, and wakes producers.</summary>
    private int ReadTaken<TSink>(EntryLease lease, uint first, uint run, scoped ref TSink sink)
        where TSink : IRecordSink, allows ref struct
    {
        int delivered = 0;
        string? damage = null;
        Exception? undeserializable = null;
        for (uint i = 0; i < run; i++)
        {
            uint item = first + i;
            Slot* slot = SlotFor(item);
            ulong record = RecordOf(slot->State);
            int length = RecordLength(record);
            byte* payload = PayloadOf(slot, record);
            if (payload is null)
            {
                string place = IsInRing(record) ? $"at line {slot->Start}" : "in its slot";
                damage ??= $"the record of item {item} claims {length} bytes {place}, outside the queue's limits";

                // Kept as an empty record in its slot, and released so: walks go on from the next record in the ring,
                // never by these bytes.
                slot->State = SlotState(item, SlotPhase.Ready, Record(0, inRing: false));
            }
            else
            {
                if (length == sink.RawSize)
                {
                    sink.ReadRaw(delivered++, payload);
                }
                else
                {
                    try
                    {
                        sink.Read(delivered, new ReadOnlySpan<byte>(payload, length));
                        delivered++;
                    }
                    catch (Exception e)
                    {
                        undeserializable ??= e;
                    }
                }
            }
        }

        // Released once all are read: each release needs its slot's line back from the producer, and stores issued
        // together wait for those transfers side by side, where stores between the reads would hold back each read.
        for (uint item = first; item != first + run; item++)
        {
            Slot* slot = SlotFor(item);
            Volatile.Write(ref slot->State, ReleasedState(item, slot->State));
        }

        EndTake(lease, released: (int)run);
        if (damage is not null || undeserializable is not null)
        {
            throw sink.Corrupted(damage, undeserializable, delivered);
        }

        return delivered;
    }

    /// <summary>
    /// The State that releases taken item <paramref name="item"/>, whose slot reads <paramref name="state"/>: Free for the
    /// next lap, keeping the record's place and length for the walks.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong ReleasedState(uint item, ulong state) => SlotState(item + _slotCount, SlotPhase.Free, RecordOf(state));

    /// <summary>After a get released its slots: clears its intent and wakes a producer per released slot.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void EndTake(EntryLease lease, int released)
    {
        lease.Entry->GetFrom = ProcessEntry.NoIntent;
        FenceAfterPublishing();
        WakeIfAnnounced(&_header->SpaceFutex, released);
    }

    // ───────────────────────────── waiting and recovery ─────────────────────────────

    /// <summary>
    /// Spins once if the blocked call is still in its spin phase (and has time left); the caller then tries again
    /// without looking for what blocks it, so that spinning reads nothing but the word it waits on.
    /// </summary>
    private bool TrySpin(ref WaitState wait, int pauses)
    {
        // An answer usually comes within a few hundred nanoseconds: most rounds only pause, reading no clock, and a
        // few pauses per round (not SpinWait's growing backoff) notice it within a round.
        int spins = wait.Spins;
        wait.Spins = spins + pauses;
        if (wait.BlockedSince != 0 && spins / PausesPerClockRead == wait.Spins / PausesPerClockRead)
        {
            Pause(pauses);
            return true;
        }

        long now = StartOrContinueWait(ref wait);
        if (now >= wait.Deadline || now - wait.BlockedSince >= _spinTicks)
        {
            return false;
        }

        // With more runnable processes than cores, the one being waited for may need this core.
        if (spins / PausesPerYield != wait.Spins / PausesPerYield)
        {
            Thread.Yield();
        }
        else
        {
            Pause(pauses);
        }

        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Pause(int pauses)
    {
        for (int i = 0; i < pauses; i++)
        {
            if (X86Base.IsSupported)
            {
                X86Base.Pause();
            }
            else
            {
                Thread.SpinWait(1);
            }
        }
    }

    private long StartOrContinueWait(ref WaitState wait)
    {
        ThrowIfClosing();
        wait.CancellationToken.ThrowIfCancellationRequested();
        long now = Stopwatch.GetTimestamp();
        if (wait.BlockedSince == 0)
        {
            wait.BlockedSince = now;
            wait.Deadline = wait.Limit.DeadlineFrom(now);
        }

        return now;
    }

    /// <summary>
    /// Waits, past the spin, until the queue may have changed: checks the owner of a claim in the way, then announces
    /// itself and has the caller re-check once, then sleeps on its side's futex word. Returns false when the deadline
    /// has passed.
    /// </summary>
    private bool AwaitChange(EntryLease lease, ref WaitState wait, Side side, Blocker blocker)
    {
        long now = StartOrContinueWait(ref wait);

        if (now >= wait.Deadline)
        {
            // Even a call that may not wait finishes a dead owner's claim (and tries again), so that a dead process
            // never makes the queue look full or empty for good; once, so that a damaged region cannot keep it busy.
            if (wait.RecoveredAtDeadline)
            {
                return false;
            }

            wait.RecoveredAtDeadline = true;
            return TryRecover(blocker);
        }

        // Behind a claim: a locked Tail, or an item a consumer has taken (an item nobody took yet is no claim).
        bool behindClaim = blocker.Kind == BlockerKind.LockedTail
            || (blocker.Kind == BlockerKind.HeldItem && (int)(HeadItems - blocker.Item) > 0);
        if (behindClaim && now - wait.LastLivenessCheck >= _livenessPollTicks)
        {
            wait.LastLivenessCheck = now;
            if (TryRecover(blocker))
            {
                // Progress: the next claim in the way (the rest of a dead reader's batch, say) is checked at once.
                wait.LastLivenessCheck = 0;
                return true;
            }
        }

        int* word = side == Side.Consumer ? &_header->ItemsFutex : &_header->SpaceFutex;
        if (!wait.Announced)
        {
            wait.AnnouncedValue = Announce(word);
            _waiter.FenceForSleeper();
            wait.Announced = true;
            return true;
        }

        wait.Announced = false;
        long sleepTicks = Math.Min(wait.Deadline - now, behindClaim ? _livenessPollTicks : _sleepBoundTicks);
        lease.Entry->Activity = (int)(side == Side.Consumer ? EntryActivity.SleepingInGet : EntryActivity.SleepingInPut);
        using (wait.CancellationToken.UnsafeRegister(static state => ((QueueProtocol)state!).WakeEverySleeper(), this))
        {
            if (!_closing && !wait.CancellationToken.IsCancellationRequested)
            {
                _waiter.Wait(word, wait.AnnouncedValue, StopwatchTicksToNanoseconds(sleepTicks));
            }
        }

        lease.Entry->Activity = (int)EntryActivity.Idle;
        return true;
    }

    /// <summary>How long a waiter spins (QueueOptions.SpinDuration), in Stopwatch ticks, before it announces itself and sleeps.</summary>
    public long SpinTicks => _spinTicks;

    /// <summary>
    /// For a thread that waits on behalf of others (<see cref="QueueWatcher"/>): announces a sleeper on the consumers',
    /// producers' (or joiners') futex word, as a blocked call does; the caller then re-checks the queue and passes the
    /// returned value to <see cref="SleepUntilChanged"/>.
    /// </summary>
    public int AnnounceSleeper(WatchedWord watched)
    {
        int announced = Announce(WordOf(watched));
        _waiter.FenceForSleeper();
        return announced;
    }

    /// <summary>
    /// Sleeps on the word announced by <see cref="AnnounceSleeper"/> until it changes (a put, get, shutdown or close),
    /// <see cref="SleepBound"/> passes, or the Stopwatch timestamp <paramref name="until"/> comes.
    /// </summary>
    public void SleepUntilChanged(EntryLease lease, WatchedWord watched, int announced, long until)
    {
        long sleepTicks = Math.Min(until - Stopwatch.GetTimestamp(), _sleepBoundTicks);
        if (_closing || sleepTicks <= 0)
        {
            return;
        }

        lease.Entry->Activity = (int)(watched switch
        {
            WatchedWord.Items => EntryActivity.SleepingInGet,
            WatchedWord.Space => EntryActivity.SleepingInPut,
            _ => EntryActivity.SleepingInJoin,
        });
        _waiter.Wait(WordOf(watched), announced, StopwatchTicksToNanoseconds(sleepTicks));
        lease.Entry->Activity = (int)EntryActivity.Idle;
    }

    private int* WordOf(WatchedWord watched) => watched switch
    {
        WatchedWord.Items => &_header->ItemsFutex,
        WatchedWord.Space => &_header->SpaceFutex,
        _ => &_header->TasksFutex,
    };

    /// <summary>Whether the queue was shut down, in any process.</summary>
    public bool IsShutDown => Volatile.Read(ref _header->Lifecycle) != (int)QueueLifecycle.Open;

    /// <summary>
    /// Shuts the queue down for every process (see "Shutdown" above) and wakes every sleeper; with
    /// <paramref name="immediate"/>, also discards what is in the queue.
    /// </summary>
    public void ShutDown(EntryLease lease, bool immediate)
    {
        if (immediate)
        {
            Interlocked.Exchange(ref _header->Lifecycle, (int)QueueLifecycle.ShutDownImmediately);
        }
        else
        {
            Interlocked.CompareExchange(ref _header->Lifecycle, (int)QueueLifecycle.ShutDown, (int)QueueLifecycle.Open);
        }

        WakeEverySleeper();
        if (immediate)
        {
            Discard(lease);
            // Discarded items are no tasks: a join may end now.
            WakeIfAnnounced(&_header->TasksFutex, int.MaxValue);
        }
    }

    /// <summary>Sets the sleepers bit of <paramref name="word"/>; returns the word's value with it set.</summary>
    private static int Announce(int* word)
    {
        while (true)
        {
            int value = Volatile.Read(ref *word);
            if ((value & 1) != 0 || Interlocked.CompareExchange(ref *word, value | 1, value) == value)
            {
                return value | 1;
            }
        }
    }

    /// <summary>
    /// Orders a publisher's "change the queue" before its "read the sleepers bit". Where the waiter can make sleepers
    /// fence every registered process for them (membarrier), publishers pay nothing here.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FenceAfterPublishing()
    {
        if (s_publishersFence)
        {
            Interlocked.MemoryBarrier();
        }
    }

    /// <summary>After a change (and <see cref="FenceAfterPublishing"/>): wakes up to <paramref name="count"/> sleepers if any announced themselves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void WakeIfAnnounced(int* word, int count)
    {
        if ((Volatile.Read(ref *word) & 1) != 0)
        {
            Wake(word, count);
        }
    }

    private void Wake(int* word, int count)
    {
        int bumped = Interlocked.Add(ref *word, 2);
        if (_waiter.Wake(word, count) == 0)
        {
            // Nobody slept (the sleepers left, or were killed in the kernel): stop paying for wakes.
            Interlocked.CompareExchange(ref *word, bumped & ~1, bumped);
        }
    }

    private void WakeEverySleeper()
    {
        Wake(&_header->ItemsFutex, int.MaxValue);
        Wake(&_header->SpaceFutex, int.MaxValue);
        WakeIfAnnounced(&_header->TasksFutex, int.MaxValue);
    }

    /// <summary>Finishes the claim in the way if its owner is dead (or gone); true when something was recovered.</summary>
    private bool TryRecover(Blocker blocker)
    {
        switch (blocker.Kind)
        {
            case BlockerKind.LockedTail when !TailHolderIsAlive(blocker.Observed):
                return RecoverTail(blocker.Observed);
            case BlockerKind.HeldItem when (int)(HeadItems - blocker.Item) > 0 && !ReaderIsAlive(blocker.Item):
                ulong released = ReleasedState(blocker.Item, blocker.Observed);
                if (Interlocked.CompareExchange(ref SlotFor(blocker.Item)->State, released, blocker.Observed) != blocker.Observed)
                {
                    return false;
                }

                QueueMetrics.Recovered(Name);
                WakeEverySleeper();
                return true;
            default:
                return false;
        }
    }

    private bool TailHolderIsAlive(ulong lockedTail)
    {
        ulong intent = lockedTail & ~1UL;
        for (int i = 0; i < QueueGeometry.ProcessTableCapacity; i++)
        {
            if (Volatile.Read(ref _table[i].PutFrom) == intent && EntryIsAlive(i))
            {
                return true;
            }
        }

        return false;
    }

    private bool ReaderIsAlive(uint item)
    {
        for (int i = 0; i < QueueGeometry.ProcessTableCapacity; i++)
        {
            if (ProcessEntry.Covers(Volatile.Read(ref _table[i].GetFrom), Volatile.Read(ref _table[i].GetCount), item) && EntryIsAlive(i))
            {
                return true;
            }
        }

        return false;
    }

    private bool EntryIsAlive(int index) => _ownEntries[index] || _liveness.IsHeld(_file, index);

    /// <summary>Unlocks a dead producer's Tail just past what it published, by CAS from the exact locked value.</summary>
    private bool RecoverTail(ulong lockedTail)
    {
        uint first = ItemsOf(lockedTail);
        uint item = first;
        uint position = TailPosition(lockedTail);
        for (uint step = 0; step < _itemBound; step++)
        {
            // Published by the dead holder: still there, or already taken and released by a consumer.
            Slot* slot = SlotFor(item);
            ulong state = Volatile.Read(ref slot->State);
            if (!Is(state, item, SlotPhase.Ready) && !Is(state, item + _slotCount, SlotPhase.Free))
            {
                break;
            }

            if (IsInRing(state))
            {
                if (!TryRingExtent(slot, state, out uint start, out position))
                {
                    throw Damaged($"the record of item {item} claims {RecordLength(state)} bytes at line {start}");
                }
            }

            item++;
        }

        ulong recovered = item == first ? SkippedTail(item, Advance(position, 1)) : Tail(item, position);
        if (Interlocked.CompareExchange(ref _header->Tail, recovered, lockedTail) != lockedTail)
        {
            return false;
        }

        QueueMetrics.Recovered(Name);
        WakeEverySleeper();
        return true;
    }

    private void ThrowIfClosing()
    {
        if (_closing)
        {
            throw Closed();
        }
    }

    private static QueueShutDownException PutAfterShutDown(int done)
    {
        var error = new QueueShutDownException(
            "the queue was shut down (Shutdown, in some process): it takes no more items. Open a new queue under another name, " +
            "or Unlink this one and create it again.");
        if (done > 0)
        {
            error.Data[ItemsPutKey] = done;
        }

        return error;
    }

    private static QueueShutDownException GetAfterShutDown() =>
        new("the queue was shut down (Shutdown, in some process) and holds no more items: every item put before the shutdown " +
            "was taken (or, after Shutdown(immediate: true), discarded).");

    private static ObjectDisposedException Closed() =>
        new(nameof(SharedQueue<int>), "the queue was disposed in this process; open it again to use it.");

    private static QueueCorruptedException Damaged(string what) =>
        new($"{what}. Another process wrote into the queue's memory; Unlink and recreate the queue.");

    private static void ExceptionDispatchInfoThrow(Exception e) =>
        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e).Throw();

    // ───────────────────────────── positions ─────────────────────────────

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Slot* SlotFor(uint item) => (Slot*)(_slots + _slotOrder.OffsetOf(item));

    /// <summary>
    /// Lines of the ring a record of <paramref name="length"/> bytes takes: none when it lives in its slot, which it does
    /// when it fits and <paramref name="slotAllowed"/> (not the first record after lines a Tail skipped).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint RingLines(int length, bool slotAllowed) =>
        slotAllowed && length <= _inlineBytes ? 0 : (uint)QueueGeometry.LinesFor(length);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte* InlineBytesOf(Slot* slot) => (byte*)slot + Slot.InlineOffset;

    /// <summary>
    /// Where the bytes of <paramref name="record"/>, described by <paramref name="slot"/>, are; null when outside the queue.
    /// </summary>
    private byte* PayloadOf(Slot* slot, ulong record)
    {
        if (!IsInRing(record))
        {
            return RecordLength(record) <= _inlineBytes ? InlineBytesOf(slot) : null;
        }

        return TryRingExtent(slot, record, out uint start, out _) ? _data + (long)LineIndex(start) * QueueGeometry.LineBytes : null;
    }

    /// <summary>
    /// The line positions where the ring record of <paramref name="record"/> (a slot State or its record half) starts
    /// (its slot's Start, read once) and ends; false when they are outside the queue: no ring record is that long, or
    /// starts there, or crosses the ring's end.
    /// </summary>
    private bool TryRingExtent(Slot* slot, ulong record, out uint start, out uint end)
    {
        start = slot->Start;
        int length = RecordLength(record);
        uint lines = (uint)QueueGeometry.LinesFor(length);
        bool inside = start < _positions && length <= _maxMessageBytes && LineIndex(start) + lines <= _dataLines;
        end = inside ? Advance(start, lines) : start;
        return inside;
    }

    /// <summary>The ring line at <paramref name="position"/>, which must be below 2 × DataLines (no division on the hot path).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint LineIndex(uint position) => position >= _dataLines ? position - _dataLines : position;

    /// <summary>Lines from <paramref name="from"/> forward to <paramref name="to"/>, on the ring of line positions.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint Distance(uint from, uint to) => to >= from ? to - from : to + _positions - from;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint Advance(uint position, uint lines)
    {
        uint next = position + lines;
        return next >= _positions ? next - _positions : next;
    }

    private static long ToStopwatchTicks(TimeSpan span) =>
        (long)(span.Ticks * ((double)Stopwatch.Frequency / TimeSpan.TicksPerSecond));

    private static long StopwatchTicksToNanoseconds(long ticks) =>
        (long)Math.Min(Math.Max(ticks, 0) * (1_000_000_000.0 / Stopwatch.Frequency), long.MaxValue / 2);
}

/// <summary>Where records come from: the queue's items, serialized on demand into the place the protocol gives.</summary>
internal unsafe interface IRecordSource
{
    /// <summary>The size of every record when each is its item's raw bytes (an unmanaged struct); otherwise <see cref="int.MaxValue"/>.</summary>
    int RawSize { get; }

    /// <summary>Copies item <paramref name="index"/>'s raw bytes (<see cref="RawSize"/> of them) to <paramref name="destination"/>.</summary>
    void WriteRaw(int index, byte* destination);

    /// <summary>Serializes item <paramref name="index"/> in place, into a record of the ring.</summary>
    void Write(int index, RecordWriter writer);

    /// <summary>Serializes item <paramref name="index"/> aside, into a buffer, to learn its size first.</summary>
    void Write(int index, ArrayBufferWriter<byte> buffer);

    /// <summary>The exception for item <paramref name="index"/> serializing to <paramref name="bytes"/>, over the limit.</summary>
    Exception TooLarge(int index, int bytes);
}

/// <summary>Where taken records go: deserialized straight out of shared memory.</summary>
internal unsafe interface IRecordSink
{
    /// <summary>The size of a record that is an item's raw bytes (an unmanaged struct); otherwise <see cref="int.MaxValue"/>.</summary>
    int RawSize { get; }

    /// <summary>Copies the <paramref name="index"/>-th taken record, <see cref="RawSize"/> raw bytes at <paramref name="record"/>.</summary>
    void ReadRaw(int index, byte* record);

    /// <summary>Deserializes the <paramref name="index"/>-th taken record.</summary>
    void Read(int index, ReadOnlySpan<byte> payload);

    /// <summary>
    /// The exception for taken records that could not be read: a damaged record (<paramref name="damage"/>) or one that
    /// did not deserialize (<paramref name="cause"/>); <paramref name="delivered"/> good ones were read.
    /// </summary>
    MessageCorruptedException Corrupted(string? damage, Exception? cause, int delivered);
}

/// <summary>Where an immediate shutdown's discarded records go: nowhere, unread.</summary>
internal readonly unsafe struct DiscardingSink : IRecordSink
{
    public int RawSize => int.MaxValue;

    public void ReadRaw(int index, byte* record)
    {
    }

    public void Read(int index, ReadOnlySpan<byte> payload)
    {
    }

    public MessageCorruptedException Corrupted(string? damage, Exception? cause, int delivered) =>
        new(damage ?? "a discarded record did not deserialize", cause, delivered);
}

/// <summary>
/// One thread's process-table entry in one queue instance: the entry whose byte the instance's file holds locked,
/// whether the thread is in a call, its in-place serialization writer and the records its put has yet to publish.
/// </summary>
internal sealed unsafe class EntryLease(QueueProtocol protocol, int index, ProcessEntry* entry)
{
    public readonly QueueProtocol Protocol = protocol;
    public readonly int Index = index;
    public readonly ProcessEntry* Entry = entry;
    public readonly RecordWriter Writer = new();

    /// <summary>
    /// The records a put has written but not yet published, as their slots' State will carry them. A field, not a
    /// stackalloc: a method that allocates on the stack is compiled once, fully optimized but without profile
    /// guidance, which costs the serializer calls of a put more than the buffer saves.
    /// </summary>
    public readonly ulong[] UnpublishedRecords = new ulong[QueueProtocol.RecordsPerPublication];
    public Thread Owner = Thread.CurrentThread;
    public int InCall;
}
