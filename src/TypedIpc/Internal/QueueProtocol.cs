using System.Diagnostics;
using System.Runtime.CompilerServices;
using TypedIpc.Platform;
using static TypedIpc.Internal.SlotState;

namespace TypedIpc.Internal;

// THE PROTOCOL: a bounded multi-producer / multi-consumer FIFO of fixed-size slots in shared memory
// (layout: QueueLayout.cs), safe against a process killed at any instruction.
//
// Positions. Tail and Head are 64-bit positions that only grow; position p lives in slot p % SlotCount.
// Each slot carries one 64-bit State word: [sequence:32 | phase:3 | owner:29]. The sequence says which
// position the slot currently serves (the low 32 bits of it); the phase says where that position is:
//
//   (p, Free)        ──producer CAS──▶  (p, Writing, owner)   ──producer CAS──▶  (p, Ready)
//   (p, Ready)       ──consumer CAS──▶  (p, Reading, owner)   ──consumer CAS──▶  (p + SlotCount, Free)
//   (p, Abandoned)   ──consumer CAS──▶  (p + SlotCount, Free)                     (skipped, nothing returned)
//
// A put claims the slot of position Tail by CAS on the slot's State (the linearization point), then moves Tail
// on by CAS; a get claims the slot of Head the same way. Anybody who finds the slot of Tail (Head) already
// claimed for that position, or serving a later one, moves the counter on for the claimant ("helping"), so a
// process killed between claiming and moving the counter stalls nobody. Claiming the slot before the counter
// is what lets the claim carry its owner atomically: a claim is never anonymous.
//
// Full and empty. The slot of Tail still serving position Tail - SlotCount (not yet consumed) means full;
// the slot of Head in phase Free (or still being read for the previous lap) means empty. maxsize > 0 gives
// exactly maxsize slots, so "maxsize counts items" is the ring's own bound; maxsize 0 takes as many slots as
// QueueOptions.CapacityBytes holds. Per-producer order and FIFO follow from positions being claimed in order.
//
// Owners. Every attached queue instance owns one ProcessTable entry: Identity = pid << 41 | start time
// (from /proc, so a reused pid never passes for the dead one) and a Generation. A claim's owner field is
// entry index << 19 | generation. An owner is dead when its entry is free, is being reclaimed (bit 63), has
// moved to another generation, or names a process that is gone or a zombie.
//
// Recovery. Nobody waits on an unfinished claim without asking whether its owner lives: a blocked call whose
// blocker is (p, Writing, o) or (p, Reading, o) checks o at once after its short spin and then at least every
// LivenessPollInterval while it sleeps. A dead owner's claim is finished by CAS from exactly that state:
//   (p, Writing, dead) → (p, Abandoned)          the dead producer's message was never published: lost, and
//                                                 only that one; consumers skip the position.
//   (p, Reading, dead) → (p + SlotCount, Free)   the dead consumer's message dies with it; the slot is reused.
// Taking over a dead process's table entry first recovers every claim it still holds, then bumps the
// Generation, then publishes the new Identity; the "reclaiming" mark (bit 63 + the reclaimer's identity) makes
// a reclaimer that dies half-way itself reclaimable. Waiter counts the dead process left are subtracted too.
//
// Sleeping. A blocked call spins for QueueOptions.SpinDuration, then sleeps on a futex word: consumers on
// ItemsPublished, producers on SlotsReleased. Before sleeping it adds itself to GetWaiters/PutWaiters (global,
// then its own entry), re-reads the futex word, and sleeps only if its blocking slot still holds the state
// that blocked it. The other side, after its State CAS (a full fence), wakes only when the waiter count is
// non-zero: the fast path makes no syscall. Both sides order "write State; read waiters" against
// "write waiters; read State", so a wake-up cannot be lost. A wake wakes every sleeper of that side: waking
// only one would strand an item if that one were killed before it retried. A sleeper killed in the kernel
// leaves its count behind in its own entry; whoever reclaims the entry subtracts it from the global count.
//
// Hostile or damaged regions. Geometry is copied out of the header once at attach and never re-read; a slot's
// Length is checked against MaxMessageBytes before any read; loops that only help counters along are bounded.
// A scribbled region can make operations fail, never make them read or write outside the mapping.
internal sealed unsafe class QueueProtocol
{
    /// <summary>How often a call blocked behind another process's unfinished claim re-checks that process.</summary>
    public static readonly TimeSpan LivenessPollInterval = TimeSpan.FromMilliseconds(50);

    private const ulong ReclaimingMark = 1UL << 63;
    private const int MaxHelpingSteps = 1_000_000;

    private readonly QueueHeader* _header;
    private readonly ProcessEntry* _processTable;
    private readonly byte* _slots;
    private readonly int _slotCount;
    private readonly int _slotStride;
    private readonly int _maxMessageBytes;
    private readonly IProcessSharedWaiter _waiter;
    private readonly long _spinTicks;
    private readonly long _livenessPollTicks = ToStopwatchTicks(LivenessPollInterval);
    private readonly ulong _identity = ProcessIdentity.Current;
    private int _entryIndex = -1;
    private uint _owner;
    private volatile bool _closing;

    private enum Side
    {
        Producer,
        Consumer,
    }

    /// <summary>What stopped an attempt: the slot it looked at and the State it saw there.</summary>
    private readonly struct Blocker(SlotHeader* slot, ulong observed)
    {
        public SlotHeader* Slot { get; } = slot;

        public ulong Observed { get; } = observed;
    }

    /// <summary>Where one blocked call stands: its deadline, fixed when it first has to wait, and its spinning.</summary>
    private struct WaitState(WaitLimit limit, CancellationToken cancellationToken)
    {
        public readonly WaitLimit Limit = limit;
        public readonly CancellationToken CancellationToken = cancellationToken;
        public long Deadline;
        public long BlockedSince;
        public long LastLivenessCheck;
        public SpinWait Spinner;
    }

    public QueueProtocol(SharedRegion region, IProcessSharedWaiter waiter, TimeSpan spinDuration)
    {
        QueueGeometry geometry = region.Geometry;
        _header = (QueueHeader*)region.Base;
        _processTable = (ProcessEntry*)(region.Base + QueueGeometry.ProcessTableOffset);
        _slots = region.Base + QueueGeometry.SlotsOffset;
        _slotCount = geometry.SlotCount;
        _slotStride = geometry.SlotStride;
        _maxMessageBytes = geometry.MaxMessageBytes;
        _waiter = waiter;
        _spinTicks = ToStopwatchTicks(spinDuration);
    }

    /// <summary>Writes the initial slot states of a region that nobody else can see yet.</summary>
    public static void InitializeSlots(byte* region, QueueGeometry geometry)
    {
        for (int i = 0; i < geometry.SlotCount; i++)
        {
            var slot = (SlotHeader*)(region + QueueGeometry.SlotsOffset + (long)i * geometry.SlotStride);
            slot->State = MakeState((uint)i, SlotPhase.Free, 0);
        }
    }

    public int Count
    {
        get
        {
            long head = Volatile.Read(ref _header->Head);
            long tail = Volatile.Read(ref _header->Tail);
            return (int)Math.Clamp(tail - head, 0, _slotCount);
        }
    }

    public int SlotCount => _slotCount;

    // ───────────────────────────── attach and detach ─────────────────────────────

    /// <summary>Takes a process-table entry for this instance: a free one, else one whose owner is dead.</summary>
    public void Register()
    {
        for (int i = 0; i < QueueGeometry.ProcessTableCapacity; i++)
        {
            if (Volatile.Read(ref _processTable[i].Identity) == 0 && TryTakeEntry(i, 0))
            {
                return;
            }
        }

        for (int i = 0; i < QueueGeometry.ProcessTableCapacity; i++)
        {
            ulong identity = Volatile.Read(ref _processTable[i].Identity);
            if (identity != 0 && !ProcessIdentity.IsAlive(identity & ~ReclaimingMark) && TryTakeEntry(i, identity))
            {
                return;
            }
        }

        throw new SharedMemoryException(
            $"{QueueGeometry.ProcessTableCapacity} queue instances are already attached to this queue and all of their " +
            "processes are alive. Dispose queue instances you no longer use, or share one instance between threads.");
    }

    /// <summary>
    /// Marks this instance closing and wakes every sleeper (others re-check and sleep again), so that calls blocked
    /// on this instance end with <see cref="ObjectDisposedException"/>.
    /// </summary>
    public void BeginClose()
    {
        _closing = true;
        WakeSleepers();
    }

    private void WakeSleepers()
    {
        WakeAll(&_header->ItemsPublished);
        WakeAll(&_header->SlotsReleased);
    }

    /// <summary>Gives this instance's process-table entry back; only once no call of this instance runs.</summary>
    public void Unregister()
    {
        if (_entryIndex >= 0)
        {
            Interlocked.CompareExchange(ref _processTable[_entryIndex].Identity, 0, _identity);
            _entryIndex = -1;
        }
    }

    private bool TryTakeEntry(int index, ulong previousIdentity)
    {
        ref ProcessEntry entry = ref _processTable[index];
        if (Interlocked.CompareExchange(ref entry.Identity, _identity | ReclaimingMark, previousIdentity) != previousIdentity)
        {
            return false;
        }

        uint generation = Volatile.Read(ref entry.Generation);
        if (previousIdentity != 0)
        {
            RecoverClaimsOf(OwnerToken(index, generation));
            int getWaiters = Interlocked.Exchange(ref entry.GetWaiters, 0);
            int putWaiters = Interlocked.Exchange(ref entry.PutWaiters, 0);
            Interlocked.Add(ref _header->GetWaiters, -Math.Max(getWaiters, 0));
            Interlocked.Add(ref _header->PutWaiters, -Math.Max(putWaiters, 0));
        }

        generation++;
        Volatile.Write(ref entry.Generation, generation);
        Volatile.Write(ref entry.Identity, _identity);
        _entryIndex = index;
        _owner = OwnerToken(index, generation);
        return true;
    }

    private void RecoverClaimsOf(uint owner)
    {
        for (int i = 0; i < _slotCount; i++)
        {
            SlotHeader* slot = SlotAtIndex(i);
            ulong state = Volatile.Read(ref slot->State);
            if (PhaseOf(state) is SlotPhase.Writing or SlotPhase.Reading && OwnerOf(state) == owner)
            {
                TryRecover(slot, state);
            }
        }
    }

    // ───────────────────────────── producer ─────────────────────────────

    /// <summary>Copies <paramref name="payload"/> into the queue; false when it stayed full for the whole wait.</summary>
    public bool Write(ReadOnlySpan<byte> payload, WaitLimit limit, CancellationToken cancellationToken)
    {
        Debug.Assert(payload.Length <= _maxMessageBytes);
        var wait = new WaitState(limit, cancellationToken);
        while (true)
        {
            if (TryWrite(payload, out Blocker blocker))
            {
                return true;
            }

            if (!AwaitChange(blocker, Side.Producer, ref wait))
            {
                return false;
            }
        }
    }

    private bool TryWrite(ReadOnlySpan<byte> payload, out Blocker blocker)
    {
        for (int step = 0; step < MaxHelpingSteps; step++)
        {
            long tail = Volatile.Read(ref _header->Tail);
            SlotHeader* slot = SlotAt(tail);
            ulong state = Volatile.Read(ref slot->State);
            int lap = (int)(SequenceOf(state) - (uint)tail);
            if (lap < 0)
            {
                blocker = new Blocker(slot, state);
                return false;
            }

            if (lap == 0 && PhaseOf(state) == SlotPhase.Free)
            {
                ulong claimed = MakeState((uint)tail, SlotPhase.Writing, _owner);
                if (Interlocked.CompareExchange(ref slot->State, claimed, state) != state)
                {
                    continue;
                }

                Interlocked.CompareExchange(ref _header->Tail, tail + 1, tail);
                payload.CopyTo(new Span<byte>((byte*)slot + SlotHeader.PayloadOffset, payload.Length));
                slot->Length = payload.Length;
                FinishClaim(slot, claimed, MakeState((uint)tail, SlotPhase.Ready, 0));
                WakeIfWaiting(Side.Consumer);
                blocker = default;
                return true;
            }

            // Position `tail` is claimed already (or long done): move Tail on for whoever claimed it.
            Interlocked.CompareExchange(ref _header->Tail, tail + 1, tail);
        }

        throw HelpingLimitReached();
    }

    // ───────────────────────────── consumer ─────────────────────────────

    /// <summary>A claimed message: its payload stays valid until <see cref="EndRead"/>.</summary>
    public readonly struct ReadClaim(SlotHeader* slot, long position, int length)
    {
        public SlotHeader* Slot { get; } = slot;

        public long Position { get; } = position;

        public int Length { get; } = length;
    }

    /// <summary>Claims the oldest message; false when the queue stayed empty for the whole wait.</summary>
    public bool BeginRead(WaitLimit limit, CancellationToken cancellationToken, out ReadClaim claim)
    {
        var wait = new WaitState(limit, cancellationToken);
        while (true)
        {
            if (TryBeginRead(out claim, out Blocker blocker))
            {
                return true;
            }

            if (!AwaitChange(blocker, Side.Consumer, ref wait))
            {
                return false;
            }
        }
    }

    public ReadOnlySpan<byte> PayloadOf(in ReadClaim claim)
    {
        if ((uint)claim.Length > (uint)_maxMessageBytes)
        {
            throw new MessageCorruptedException(
                $"the message at position {claim.Position} claims {claim.Length} bytes, outside 0..{_maxMessageBytes}; " +
                "it was removed. Another process wrote into the queue's memory: find it, or Unlink and recreate the queue.");
        }

        return new ReadOnlySpan<byte>((byte*)claim.Slot + SlotHeader.PayloadOffset, claim.Length);
    }

    /// <summary>Releases the slot of a claimed message to producers.</summary>
    public void EndRead(in ReadClaim claim)
    {
        FinishClaim(
            claim.Slot,
            MakeState((uint)claim.Position, SlotPhase.Reading, _owner),
            MakeState((uint)(claim.Position + _slotCount), SlotPhase.Free, 0));
        WakeIfWaiting(Side.Producer);
    }

    private bool TryBeginRead(out ReadClaim claim, out Blocker blocker)
    {
        for (int step = 0; step < MaxHelpingSteps; step++)
        {
            long head = Volatile.Read(ref _header->Head);
            SlotHeader* slot = SlotAt(head);
            ulong state = Volatile.Read(ref slot->State);
            int lap = (int)(SequenceOf(state) - (uint)head);
            if (lap < 0 || (lap == 0 && PhaseOf(state) is SlotPhase.Free or SlotPhase.Writing))
            {
                claim = default;
                blocker = new Blocker(slot, state);
                return false;
            }

            if (lap == 0 && PhaseOf(state) == SlotPhase.Ready)
            {
                ulong claimed = MakeState((uint)head, SlotPhase.Reading, _owner);
                if (Interlocked.CompareExchange(ref slot->State, claimed, state) != state)
                {
                    continue;
                }

                Interlocked.CompareExchange(ref _header->Head, head + 1, head);
                claim = new ReadClaim(slot, head, Volatile.Read(ref slot->Length));
                blocker = default;
                return true;
            }

            if (lap == 0 && PhaseOf(state) == SlotPhase.Abandoned)
            {
                if (Interlocked.CompareExchange(ref slot->State, MakeState((uint)(head + _slotCount), SlotPhase.Free, 0), state) == state)
                {
                    Interlocked.CompareExchange(ref _header->Head, head + 1, head);
                    WakeIfWaiting(Side.Producer);
                }

                continue;
            }

            if (lap == 0 && PhaseOf(state) != SlotPhase.Reading)
            {
                throw new QueueCorruptedException(
                    $"slot {SlotIndexOf(head)} holds an unknown phase ({PhaseOf(state)}). Another process wrote into the " +
                    "queue's memory; Unlink and recreate the queue.");
            }

            // Position `head` is being read by another consumer, or long done: move Head on.
            Interlocked.CompareExchange(ref _header->Head, head + 1, head);
        }

        throw HelpingLimitReached();
    }

    // ───────────────────────────── waiting and recovery ─────────────────────────────

    /// <summary>
    /// Waits until the blocking slot may have changed: spins first, then sleeps on the side's futex word.
    /// Returns false when the deadline has passed.
    /// </summary>
    private bool AwaitChange(Blocker blocker, Side side, ref WaitState wait)
    {
        ThrowIfClosing();
        wait.CancellationToken.ThrowIfCancellationRequested();
        long now = Stopwatch.GetTimestamp();
        if (wait.BlockedSince == 0)
        {
            wait.BlockedSince = now;
            wait.Deadline = wait.Limit.DeadlineFrom(now);
        }

        if (now >= wait.Deadline)
        {
            // Even a non-blocking call finishes a dead owner's claim (and tries again), so that a dead process
            // never makes the queue look full or empty for good.
            return ClaimOwnerIsDead(blocker) && TryRecover(blocker.Slot, blocker.Observed);
        }

        if (now - wait.BlockedSince < _spinTicks)
        {
            // Spins, and past a few rounds yields: with more runnable processes than cores, the one being
            // waited for needs this core.
            wait.Spinner.SpinOnce(sleep1Threshold: -1);
            return true;
        }

        long sleepTicks = wait.Deadline == long.MaxValue ? -1 : wait.Deadline - now;
        if (IsClaim(blocker.Observed))
        {
            if (now - wait.LastLivenessCheck >= _livenessPollTicks)
            {
                wait.LastLivenessCheck = now;
                if (ClaimOwnerIsDead(blocker))
                {
                    TryRecover(blocker.Slot, blocker.Observed);
                    return true;
                }
            }

            sleepTicks = sleepTicks < 0 ? _livenessPollTicks : Math.Min(sleepTicks, _livenessPollTicks);
        }

        Sleep(blocker, side, sleepTicks < 0 ? -1 : StopwatchTicksToNanoseconds(sleepTicks), wait.CancellationToken);
        return true;
    }

    private void Sleep(Blocker blocker, Side side, long timeoutNanoseconds, CancellationToken cancellationToken)
    {
        ref ProcessEntry entry = ref _processTable[_entryIndex];
        int* word = side == Side.Consumer ? &_header->ItemsPublished : &_header->SlotsReleased;
        ref int globalWaiters = ref side == Side.Consumer ? ref _header->GetWaiters : ref _header->PutWaiters;
        ref int ownWaiters = ref side == Side.Consumer ? ref entry.GetWaiters : ref entry.PutWaiters;

        // Global first, own entry second (and the reverse on the way out): the entry never counts more than
        // this process added globally, so subtracting a dead process's entry can never lose a live sleeper.
        Interlocked.Increment(ref globalWaiters);
        Interlocked.Increment(ref ownWaiters);
        int wakeCount = Volatile.Read(ref *word);
        using (cancellationToken.UnsafeRegister(static state => ((QueueProtocol)state!).WakeSleepers(), this))
        {
            if (Volatile.Read(ref blocker.Slot->State) == blocker.Observed && !_closing && !cancellationToken.IsCancellationRequested)
            {
                _waiter.Wait(word, wakeCount, timeoutNanoseconds);
            }
        }

        Interlocked.Decrement(ref ownWaiters);
        Interlocked.Decrement(ref globalWaiters);
    }

    private void WakeIfWaiting(Side side)
    {
        if (side == Side.Consumer)
        {
            if (Volatile.Read(ref _header->GetWaiters) != 0)
            {
                WakeAll(&_header->ItemsPublished);
            }
        }
        else if (Volatile.Read(ref _header->PutWaiters) != 0)
        {
            WakeAll(&_header->SlotsReleased);
        }
    }

    private void WakeAll(int* word)
    {
        Interlocked.Increment(ref *word);
        _waiter.WakeAll(word);
    }

    private bool ClaimOwnerIsDead(Blocker blocker)
    {
        if (!IsClaim(blocker.Observed))
        {
            return false;
        }

        uint owner = OwnerOf(blocker.Observed);
        int index = EntryIndexOf(owner);
        if (index >= QueueGeometry.ProcessTableCapacity)
        {
            return true;
        }

        ref ProcessEntry entry = ref _processTable[index];
        ulong identity = Volatile.Read(ref entry.Identity);
        uint generation = Volatile.Read(ref entry.Generation);
        return identity == 0
            || (identity & ReclaimingMark) != 0
            || OwnerToken(index, generation) != owner
            || !ProcessIdentity.IsAlive(identity);
    }

    /// <summary>Finishes a dead owner's claim from exactly the state observed; false when the state moved on.</summary>
    private bool TryRecover(SlotHeader* slot, ulong observed)
    {
        uint sequence = SequenceOf(observed);
        ulong recovered = PhaseOf(observed) == SlotPhase.Writing
            ? MakeState(sequence, SlotPhase.Abandoned, 0)
            : MakeState(sequence + (uint)_slotCount, SlotPhase.Free, 0);
        if (Interlocked.CompareExchange(ref slot->State, recovered, observed) != observed)
        {
            return false;
        }

        WakeAll(&_header->ItemsPublished);
        WakeAll(&_header->SlotsReleased);
        return true;
    }

    private void FinishClaim(SlotHeader* slot, ulong claimed, ulong finished)
    {
        if (Interlocked.CompareExchange(ref slot->State, finished, claimed) != claimed)
        {
            throw new QueueCorruptedException(
                $"slot {((byte*)slot - _slots) / _slotStride} changed while this process " +
                "held it. Another process wrote into the queue's memory; Unlink and recreate the queue.");
        }
    }

    private void ThrowIfClosing()
    {
        if (_closing)
        {
            throw new ObjectDisposedException(nameof(SharedQueue<int>), "the queue was disposed while a call waited on it.");
        }
    }

    private static QueueCorruptedException HelpingLimitReached() =>
        new($"the queue's positions did not settle after {MaxHelpingSteps} steps. Another process wrote into the " +
            "queue's memory; Unlink and recreate the queue.");

    // ───────────────────────────── slots ─────────────────────────────

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private SlotHeader* SlotAt(long position) => SlotAtIndex(SlotIndexOf(position));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int SlotIndexOf(long position) => (int)((ulong)position % (uint)_slotCount);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private SlotHeader* SlotAtIndex(int index) => (SlotHeader*)(_slots + (long)index * _slotStride);

    private static long ToStopwatchTicks(TimeSpan span) =>
        (long)(span.Ticks * ((double)Stopwatch.Frequency / TimeSpan.TicksPerSecond));

    private static long StopwatchTicksToNanoseconds(long ticks) =>
        (long)Math.Min(ticks * (1_000_000_000.0 / Stopwatch.Frequency), long.MaxValue / 2);
}
