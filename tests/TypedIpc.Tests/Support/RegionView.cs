using System.IO.MemoryMappedFiles;
using Microsoft.Win32.SafeHandles;
using TypedIpc.Internal;
using TypedIpc.Platform;

namespace TypedIpc.Tests.Support;

/// <summary>
/// Maps a queue's shared-memory file the way another process would, so that a test can watch the header and the
/// process table (who sleeps) or leave the state a killed process leaves behind.
/// </summary>
public sealed unsafe class RegionView : IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private readonly string _path;

    public RegionView(string queueName)
    {
        _path = $"/dev/shm/typedipc.{queueName}";
        _file = MemoryMappedFile.CreateFromFile(_path, FileMode.Open, null, 0, MemoryMappedFileAccess.ReadWrite);
        _view = _file.CreateViewAccessor();
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref _base);
    }

    internal QueueHeader* Header => (QueueHeader*)_base;

    internal QueueGeometry Geometry => new(Header->SlotCount, Header->DataLines, Header->MaxMessageBytes, Header->MaxSize);

    internal ProcessEntry* Entry(int index) => (ProcessEntry*)(_base + QueueGeometry.ProcessTableOffset) + index;

    internal Slot* Slot(uint item) => (Slot*)(_base + Geometry.SlotOffsetOf(item));

    /// <summary>The record length item <paramref name="item"/>'s slot State gives.</summary>
    internal int RecordLengthOf(uint item) => Packing.RecordLength(Slot(item)->State);

    /// <summary>Forges the record length in item <paramref name="item"/>'s slot State, keeping the rest.</summary>
    internal void ForgeRecordLength(uint item, int length)
    {
        ulong state = Slot(item)->State;
        Slot(item)->State = Packing.SlotState(Packing.ItemsOf(state), (SlotPhase)(state & 1), Packing.Record(length, Packing.IsInRing(state)));
    }

    /// <summary>Threads asleep in the kernel in a Get on this queue (from the process table).</summary>
    public int GetWaiters => CountActivity(EntryActivity.SleepingInGet);

    /// <summary>Threads asleep in the kernel in a Put on this queue.</summary>
    public int PutWaiters => CountActivity(EntryActivity.SleepingInPut);

    /// <summary>Whether any sleeper has announced itself on the consumers' (or producers') futex word.</summary>
    public bool SleepersAnnounced(bool consumers) => (Volatile.Read(ref consumers ? ref Header->ItemsFutex : ref Header->SpaceFutex) & 1) != 0;

    /// <summary>The process-table indexes of the entries that name process <paramref name="pid"/>.</summary>
    public IReadOnlyList<int> EntriesOf(int pid)
    {
        var entries = new List<int>();
        for (int i = 0; i < QueueGeometry.ProcessTableCapacity; i++)
        {
            if (Volatile.Read(ref Entry(i)->Pid) == pid)
            {
                entries.Add(i);
            }
        }

        return entries;
    }

    /// <summary>The pid entry <paramref name="index"/> names (0: never used, or given back).</summary>
    public int PidOf(int index) => Volatile.Read(ref Entry(index)->Pid);

    /// <summary>Whether some live instance holds entry <paramref name="index"/>'s liveness lock, as the kernel answers.</summary>
    public bool IsEntryLocked(int index)
    {
        using SafeFileHandle file = File.OpenHandle(_path, FileMode.Open, FileAccess.ReadWrite);
        return ProcessLiveness.ForCurrentPlatform.IsHeld(file, index);
    }

    /// <summary>The Tasks word of entry <paramref name="index"/> of a joinable queue: [abandoned:32 | held:32].</summary>
    public ulong TasksOf(int index) => Volatile.Read(ref Entry(index)->Tasks);

    /// <summary>
    /// Gives every never-used entry a stale pid, so that the next instance to attach takes the lowest-numbered entry
    /// nobody holds (a dead process's) instead of a fresh one.
    /// </summary>
    public void MarkUnusedEntriesStale()
    {
        for (int i = 0; i < QueueGeometry.ProcessTableCapacity; i++)
        {
            if (Volatile.Read(ref Entry(i)->Pid) == 0)
            {
                Volatile.Write(ref Entry(i)->Pid, int.MaxValue);
            }
        }
    }

    /// <summary>
    /// Leaves the state of a producer killed between locking the Tail and publishing: process <paramref name="pid"/>'s
    /// entry announces the Tail it saw, and the Tail is locked. Returns the Tail as it was.
    /// </summary>
    internal ulong LockTailAsIfHeldBy(int pid) => LockTailFor(Entry(EntriesOf(pid)[0]));

    /// <summary>The same for the owner of <paramref name="entry"/> (one in its own PID namespace, say).</summary>
    internal ulong LockTailFor(ProcessEntry* entry)
    {
        ulong tail = Header->Tail;
        entry->PutFrom = tail;
        Header->Tail = Packing.Locked(tail);
        return tail;
    }

    /// <summary>
    /// Leaves the state of a reader killed between taking <paramref name="count"/> items and releasing them: Head past
    /// them, still Ready, the intent of <paramref name="entry"/> covering them. Returns the first item taken.
    /// </summary>
    internal uint TakeItemsFor(ProcessEntry* entry, uint count)
    {
        uint head = (uint)Header->Head;
        entry->GetCount = count;
        entry->GetFrom = head;
        Header->Head = head + count;
        return head;
    }

    /// <summary>Waits (polling, at most 30 s) until <paramref name="condition"/> holds.</summary>
    public static void WaitUntil(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"gave up waiting until {what}.");
            }

            Thread.Sleep(1);
        }
    }

    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }

    private int CountActivity(EntryActivity activity)
    {
        int count = 0;
        for (int i = 0; i < QueueGeometry.ProcessTableCapacity; i++)
        {
            if (Volatile.Read(ref Entry(i)->Activity) == (int)activity)
            {
                count++;
            }
        }

        return count;
    }
}
