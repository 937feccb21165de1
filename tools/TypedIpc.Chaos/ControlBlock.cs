using System.IO.MemoryMappedFiles;

namespace TypedIpc.Chaos;

/// <summary>
/// Three flags the supervisor sets and every child reads before each operation: pause the producers (so that
/// consumers block in Get on an empty queue), pause the consumers (so that producers block in Put on a full one),
/// and stop. A file mapping, because a child restarted after a kill must find the current state at once.
/// </summary>
public sealed unsafe class ControlBlock : IDisposable
{
    private const int Bytes = 64;
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly int* _flags;

    private ControlBlock(string path)
    {
        _file = MemoryMappedFile.CreateFromFile(path, FileMode.OpenOrCreate, null, Bytes, MemoryMappedFileAccess.ReadWrite);
        _view = _file.CreateViewAccessor(0, Bytes);
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _flags = (int*)pointer;
    }

    private enum Flag
    {
        ProducersPaused,
        ConsumersPaused,
        Stopping,
    }

    public bool ProducersPaused
    {
        get => Read(Flag.ProducersPaused);
        set => Write(Flag.ProducersPaused, value);
    }

    public bool ConsumersPaused
    {
        get => Read(Flag.ConsumersPaused);
        set => Write(Flag.ConsumersPaused, value);
    }

    public bool Stopping
    {
        get => Read(Flag.Stopping);
        set => Write(Flag.Stopping, value);
    }

    public static ControlBlock Open(string path) => new(path);

    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }

    private bool Read(Flag flag) => Volatile.Read(ref _flags[(int)flag]) != 0;

    private void Write(Flag flag, bool value) => Volatile.Write(ref _flags[(int)flag], value ? 1 : 0);
}
