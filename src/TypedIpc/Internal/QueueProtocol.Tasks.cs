using static TypedIpc.Internal.Packing;

namespace TypedIpc.Internal;

// JOINABLE QUEUES: Python's task_done()/join() across processes, safe against a process killed at any instruction.
//
// There is no global "unfinished" counter (a producer or consumer killed between two updates would leave it wrong
// for good). Instead the unfinished tasks are counted where they are:
//   - items in the queue: put, not yet got (Tail.items - Head);
//   - tasks held by each instance: the low half of the Tasks word of its ledger entry (the process-table entry of
//     the thread that opened it). A get adds the run it claims there BEFORE its Head CAS and takes it back if the CAS
//     fails, so an item is never out of the queue without being held; TaskDone subtracts one.
//
// A held count whose entry's owner is dead (its kernel lock is gone) is abandoned: those items were got, and
// nobody will finish them. A consumer killed between its add and its CAS leaves an over-estimate of at most the run
// it was about to take (those items stay in the queue, and are counted twice: once as abandoned); it never leaves
// an under-estimate, so Join never reports success for work nobody finished, and never waits for a dead process.
// Items of a dead reader's claim that recovery releases were counted in its held tasks before its CAS.
//
// Taking over a dead entry (TakeEntry) folds its held half into the same word's abandoned half with one CAS: the
// count moves exactly once, whatever instruction the taker dies at, because it never leaves the word. Join runs
// when the queue is empty and no live entry holds a task; then it consumes every abandoned count (a CAS per entry,
// so each count is consumed once) and adds what it consumed to the header's AbandonedReported. A join throws
// QueueTasksAbandonedException when AbandonedReported grew while it waited (by its own consumption or a concurrent
// join's): every join that saw the abandonment reports it, and a join started afterwards waits only for later work,
// so a long-running service keeps a usable queue after a crash. A joiner killed between its consumption and the add
// takes its report with it.
//
// Waking: TaskDone that brings its instance's held count to zero wakes joiners through TasksFutex, only when one
// announced itself (the sleepers bit, as on the other futex words); joiners' sleeps are bounded by SleepBound, which
// is how they notice a consumer that died.
internal sealed unsafe partial class QueueProtocol
{
    private const ulong HeldMask = uint.MaxValue;

    /// <summary>The Tasks word of this instance's ledger entry; null for a queue that is not joinable.</summary>
    private ulong* _heldTasks;

    /// <summary>Whether this instance counts tasks (the queue was created joinable).</summary>
    public bool IsJoinable => _heldTasks is not null;

    /// <summary>
    /// Makes the entry of <paramref name="lease"/> this instance's ledger: the tasks its gets take are held there until
    /// TaskDone, for as long as the instance's file holds the entry's lock. Call before the instance is used.
    /// </summary>
    public void AttachLedger(EntryLease lease) => _heldTasks = &lease.Entry->Tasks;

    /// <summary>Finishes one task held by this instance; false when it holds none.</summary>
    public bool TaskDone()
    {
        ulong word = Volatile.Read(ref *_heldTasks);
        while (true)
        {
            if ((word & HeldMask) == 0)
            {
                return false;
            }

            ulong seen = Interlocked.CompareExchange(ref *_heldTasks, word - 1, word);
            if (seen == word)
            {
                break;
            }

            word = seen;
        }

        if ((word & HeldMask) == 1)
        {
            FenceAfterPublishing();
            WakeIfAnnounced(&_header->TasksFutex, int.MaxValue);
        }

        return true;
    }

    /// <summary>
    /// Waits until the queue is empty and no live instance holds a task. Returns how many tasks were reported
    /// abandoned meanwhile (0: every task was done).
    /// </summary>
    public long Join(EntryLease lease, CancellationToken cancellationToken)
    {
        long reportedAtStart = JoinStart;
        int* word = &_header->TasksFutex;
        using CancellationTokenRegistration registration = cancellationToken.UnsafeRegister(
            static state => ((QueueProtocol)state!).WakeJoiners(), this);
        while (true)
        {
            ThrowIfClosing();
            cancellationToken.ThrowIfCancellationRequested();
            // Announce, then check: a TaskDone after the check bumps the word before it is slept on.
            int announced = Announce(word);
            _waiter.FenceForSleeper();
            if (TryEndJoin(reportedAtStart, out long abandoned))
            {
                return abandoned;
            }

            lease.Entry->Activity = (int)EntryActivity.SleepingInJoin;
            if (!_closing && !cancellationToken.IsCancellationRequested)
            {
                _waiter.Wait(word, announced, StopwatchTicksToNanoseconds(_sleepBoundTicks));
            }

            lease.Entry->Activity = (int)EntryActivity.Idle;
        }
    }

    private void WakeJoiners() => Wake(&_header->TasksFutex, int.MaxValue);

    /// <summary>What a join passes to <see cref="TryEndJoin"/>: the abandoned tasks reported before it started.</summary>
    public long JoinStart => Volatile.Read(ref _header->AbandonedReported);

    /// <summary>
    /// Whether a join that started at <paramref name="reportedAtStart"/> (<see cref="JoinStart"/>) may end: not while
    /// items wait in the queue or a live instance holds tasks. When it may, consumes the abandoned tasks and returns in
    /// <paramref name="abandoned"/> how many were reported since the join started, by this call or a concurrent join.
    /// </summary>
    public bool TryEndJoin(long reportedAtStart, out long abandoned)
    {
        abandoned = 0;
        // Tail, then Head, then the held counts: an item leaves the queue (Head) only after it is held, so it is seen
        // in one of the two.
        ulong tail = Volatile.Read(ref _header->Tail);
        if ((int)(ItemsOf(tail) - HeadItems) > 0)
        {
            return false;
        }

        (long held, long abandonedNow) = TaskCounts();
        if (held > 0)
        {
            return false;
        }

        if (abandonedNow > 0 && ConsumeAbandoned() is var consumed and > 0)
        {
            Interlocked.Add(ref _header->AbandonedReported, consumed);
        }

        abandoned = Volatile.Read(ref _header->AbandonedReported) - reportedAtStart;
        return true;
    }

    /// <summary>
    /// The tasks of a joinable queue's entries: held by live owners, and abandoned (held by dead ones, or folded into
    /// an entry's abandoned half when it was taken over), without consuming any: the one reading of the
    /// Tasks words that joins and inspection share.
    /// </summary>
    private (long Held, long Abandoned) TaskCounts()
    {
        long held = 0, abandoned = 0;
        for (int i = 0; i < QueueGeometry.ProcessTableCapacity; i++)
        {
            ulong word = Volatile.Read(ref _table[i].Tasks);
            if (word == 0)
            {
                continue;
            }

            long heldHere = (long)(word & HeldMask);
            abandoned += (long)(word >> 32);
            if (heldHere > 0 && EntryIsAlive(i))
            {
                held += heldHere;
            }
            else
            {
                abandoned += heldHere;
            }
        }

        return (held, abandoned);
    }

    /// <summary>Clears every abandoned count (a dead entry's held half, any entry's abandoned half) by CAS; returns their sum.</summary>
    private long ConsumeAbandoned()
    {
        long consumed = 0;
        for (int i = 0; i < QueueGeometry.ProcessTableCapacity; i++)
        {
            ulong word = Volatile.Read(ref _table[i].Tasks);
            while (word != 0)
            {
                bool heldAbandoned = (word & HeldMask) != 0 && !EntryIsAlive(i);
                ulong kept = heldAbandoned ? 0 : word & HeldMask;
                if (kept == word)
                {
                    break;
                }

                ulong seen = Interlocked.CompareExchange(ref _table[i].Tasks, kept, word);
                if (seen == word)
                {
                    consumed += (long)(word >> 32) + (heldAbandoned ? (long)(word & HeldMask) : 0);
                    break;
                }

                word = seen;
            }
        }

        return consumed;
    }

    /// <summary>
    /// For the taker of a dead entry, which holds its lock: moves the dead owner's held tasks into the word's
    /// abandoned half, in one CAS (a concurrent join may consume them first).
    /// </summary>
    private static void FoldHeldIntoAbandoned(ProcessEntry* entry)
    {
        ulong word = Volatile.Read(ref entry->Tasks);
        while ((word & HeldMask) != 0)
        {
            ulong abandoned = Math.Min((word >> 32) + (word & HeldMask), HeldMask);
            ulong seen = Interlocked.CompareExchange(ref entry->Tasks, abandoned << 32, word);
            if (seen == word)
            {
                return;
            }

            word = seen;
        }
    }

    /// <summary>
    /// Reads a joinable get's taken records (<see cref="ReadTaken"/>); records that no caller received (damaged or
    /// undeserializable) are no task anyone can finish, so they leave the held count again.
    /// </summary>
    private int ReadTakenAsTasks<TSink>(EntryLease lease, uint first, uint run, scoped ref TSink sink)
        where TSink : IRecordSink, allows ref struct
    {
        try
        {
            return ReadTaken(lease, first, run, ref sink);
        }
        catch (MessageCorruptedException e)
        {
            ulong undelivered = run - (uint)e.ItemsDelivered;
            if ((Interlocked.Add(ref *_heldTasks, unchecked(0UL - undelivered)) & HeldMask) == 0)
            {
                FenceAfterPublishing();
                WakeIfAnnounced(&_header->TasksFutex, int.MaxValue);
            }

            throw;
        }
    }
}
