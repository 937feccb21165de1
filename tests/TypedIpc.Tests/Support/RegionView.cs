using System.IO.MemoryMappedFiles;
using TypedIpc.Internal;

namespace TypedIpc.Tests.Support;

/// <summary>
/// Maps a queue's shared-memory file the way another process would, so that a test can watch the header
/// (who sleeps) or leave the state a killed process leaves behind.
/// </summary>
public sealed unsafe class RegionView : IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;

    public RegionView(string queueName)
    {
        _file = MemoryMappedFile.CreateFromFile($"/dev/shm/typedipc.{queueName}", FileMode.Open, null, 0, MemoryMappedFileAccess.ReadWrite);
        _view = _file.CreateViewAccessor();
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref _base);
    }

    internal QueueHeader* Header => (QueueHeader*)_base;

    internal ProcessEntry* Entry(int index) => (ProcessEntry*)(_base + QueueGeometry.ProcessTableOffset) + index;

    internal SlotHeader* Slot(int index) => (SlotHeader*)(_base + QueueGeometry.SlotsOffset + (long)index * Header->SlotStride);

    public int GetWaiters => Volatile.Read(ref Header->GetWaiters);

    public int PutWaiters => Volatile.Read(ref Header->PutWaiters);

    /// <summary>The process-table index of the entry that names process <paramref name="pid"/>.</summary>
    public int EntryIndexOf(int pid)
    {
        for (int i = 0; i < QueueGeometry.ProcessTableCapacity; i++)
        {
            ulong identity = Volatile.Read(ref Entry(i)->Identity);
            if (identity != 0 && TypedIpc.Platform.ProcessIdentity.PidOf(identity) == pid)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"process {pid} holds no entry in the queue's process table.");
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
}
