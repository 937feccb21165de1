using static TypedIpc.Internal.Packing;

namespace TypedIpc.Internal;

// Inspection: a look at a region from outside, over a read-only mapping (SharedRegion.OpenForReading). It takes no
// process-table entry, recovers nothing and cannot write; it judges owners by the same kernel locks and the same
// intents as recovery does (TailHolderIsAlive, ReaderIsAlive), so what it calls dead is what recovery would recover.
internal sealed unsafe partial class QueueProtocol
{
    private const int StaleWalkRetries = 3;

    /// <summary>Reads the queue's state into a <see cref="QueueInfo"/>; <paramref name="recorded"/> is what its header records.</summary>
    public QueueInfo Inspect(string name, RegionSpec recorded)
    {
        // The Tail last: neither Head nor Released ever passes it, so the Count and the byte distances below are ones
        // the queue really spanned (the Count may include items taken just after Head was read).
        uint head = HeadItems;
        ulong released = ReleasedAfterWalk(out ulong walked, out ulong tail);
        List<QueueClaim> claims = Claims(tail, head, ItemsOf(walked));
        bool joinable = recorded.Flags.HasFlag(QueueFlags.Joinable);
        (long held, long abandoned) = joinable ? TaskCounts() : default;
        int count = (int)Math.Clamp((int)(ItemsOf(tail) - head), 0, (int)_itemBound);
        return new QueueInfo
        {
            Name = name,
            Path = SharedRegion.PathFor(name),
            SchemaFingerprint = recorded.SchemaFingerprint,
            TypeName = recorded.TypeName.Length > 0 ? recorded.TypeName : null,
            MaxSize = recorded.Geometry.MaxSize,
            Capacity = ItemBound,
            MaxMessageBytes = _maxMessageBytes,
            Count = count,
            BytesUsed = BytesBetween(ReleasedPosition(walked), TailPosition(tail)),
            BytesReserved = BytesBetween(ReleasedPosition(released), TailPosition(tail)),
            BytesCapacity = BytesCapacity,
            IsShutDown = IsShutDown,
            IsJoinable = joinable,
            UnfinishedTasks = joinable ? count + held : null,
            AbandonedTasks = joinable ? abandoned : null,
            ItemsPut = ItemsOf(tail),
            ItemsTaken = head,
            Attached = Attachments(claims),
            Claims = claims,
        };
    }

    /// <summary>
    /// Released as the header holds it, the Tail read after it, and (<paramref name="walked"/>) Released moved past
    /// the released records up to that Tail, as a producer short of room would move it.
    /// </summary>
    private ulong ReleasedAfterWalk(out ulong walked, out ulong tail)
    {
        ulong released = Volatile.Read(ref _header->Released);
        tail = Volatile.Read(ref _header->Tail);
        for (int attempt = 0; !TryWalkReleased(released, tail, out walked, out _); attempt++)
        {
            released = Volatile.Read(ref _header->Released);
            tail = Volatile.Read(ref _header->Tail);
            if (attempt == StaleWalkRetries)
            {
                // The queue moves faster than the walk: show Released as it stands.
                walked = released;
                break;
            }
        }

        return released;
    }

    private long BytesBetween(uint from, uint to) => Math.Min(Distance(from, to), _dataLines) * (long)QueueGeometry.LineBytes;

    /// <summary>The locked Tail's claim, then the taken, unreleased items after <paramref name="firstUnreleased"/>, in runs by owner.</summary>
    private List<QueueClaim> Claims(ulong tail, uint head, uint firstUnreleased)
    {
        var claims = new List<QueueClaim>();
        if (IsLocked(tail))
        {
            int? holder = FindEntry(entry => Volatile.Read(ref entry->PutFrom) == (tail & ~1UL));
            claims.Add(Claim(QueueClaimKind.Tail, ItemsOf(tail), 0, holder, TailHolderIsAlive(tail)));
        }

        int? runOwner = null;
        uint runStart = 0;
        int runLength = 0;
        for (uint item = firstUnreleased, step = 0; item != head && (int)(head - item) > 0 && step < _slotCount; item++, step++)
        {
            ulong state = Volatile.Read(ref SlotFor(item)->State);
            if (Is(state, item + _slotCount, SlotPhase.Free))
            {
                continue; // released out of order, by a reader faster than the one before it
            }

            if (!Is(state, item, SlotPhase.Ready))
            {
                break; // the walk went stale: the slot serves a later item
            }

            // A batch's items share one owner: try the last one before searching the table.
            int? owner = runOwner is { } last && Covers(&_table[last], item) ? last : FindEntry(entry => Covers(entry, item));
            if (runLength > 0 && (owner != runOwner || runStart + (uint)runLength != item))
            {
                claims.Add(Claim(QueueClaimKind.TakenItems, runStart, runLength, runOwner, ReaderIsAlive(runStart)));
                runLength = 0;
            }

            if (runLength == 0)
            {
                runOwner = owner;
                runStart = item;
            }

            runLength++;
        }

        if (runLength > 0)
        {
            claims.Add(Claim(QueueClaimKind.TakenItems, runStart, runLength, runOwner, ReaderIsAlive(runStart)));
        }

        return claims;
    }

    private QueueClaim Claim(QueueClaimKind kind, uint firstItem, int itemCount, int? entry, bool ownerAlive)
    {
        int? pid = entry is { } index && Volatile.Read(ref _table[index].Pid) is var recorded and not 0 ? recorded : null;
        return new QueueClaim(kind, firstItem, itemCount, entry, pid, ownerAlive);
    }

    /// <summary>The entries that name a process (the others are unused or were given back), with what each is doing.</summary>
    private QueueAttachment[] Attachments(List<QueueClaim> claims)
    {
        var attached = new List<QueueAttachment>();
        for (int i = 0; i < QueueGeometry.ProcessTableCapacity; i++)
        {
            int pid = Volatile.Read(ref _table[i].Pid);
            if (pid == 0)
            {
                continue;
            }

            QueueClaim? claim = claims.Find(c => c.Entry == i);
            QueueActivity activity = claim?.Kind switch
            {
                QueueClaimKind.Tail => QueueActivity.Putting,
                QueueClaimKind.TakenItems => QueueActivity.Getting,
                _ => (EntryActivity)Volatile.Read(ref _table[i].Activity) switch
                {
                    EntryActivity.SleepingInGet => QueueActivity.BlockedInGet,
                    EntryActivity.SleepingInPut => QueueActivity.BlockedInPut,
                    _ => QueueActivity.Idle,
                },
            };
            attached.Add(new QueueAttachment(i, pid, EntryIsAlive(i), activity));
        }

        return [.. attached];
    }

    private static bool Covers(ProcessEntry* entry, uint item) =>
        ProcessEntry.Covers(Volatile.Read(ref entry->GetFrom), Volatile.Read(ref entry->GetCount), item);

    private int? FindEntry(EntryPredicate matches)
    {
        for (int i = 0; i < QueueGeometry.ProcessTableCapacity; i++)
        {
            if (matches(&_table[i]))
            {
                return i;
            }
        }

        return null;
    }

    private delegate bool EntryPredicate(ProcessEntry* entry);
}
