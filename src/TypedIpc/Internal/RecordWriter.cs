using System.Buffers;
using System.Runtime.CompilerServices;

namespace TypedIpc.Internal;

/// <summary>
/// Lets MemoryPack serialize straight into a record of the ring: the writer hands out the free lines after the
/// record's start and refuses (with <see cref="OverflowException"/>) to go past them, so a message is never
/// written where it could touch another record.
/// </summary>
internal sealed unsafe class RecordWriter : IBufferWriter<byte>
{
    private readonly PointerMemory _memory = new();
    private byte* _start;
    private int _capacity;

    /// <summary>The MemoryPack state of the thread and queue instance this writer belongs to.</summary>
    public CodecState CodecState { get; } = new();

    /// <summary>Bytes written since <see cref="Reset"/>.</summary>
    public int Written { get; private set; }

    public void Reset(byte* start, int capacity)
    {
        _start = start;
        _capacity = capacity;
        Written = 0;
    }

    public void Advance(int count)
    {
        if ((uint)count > (uint)(_capacity - Written))
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "advanced past the span handed out.");
        }

        Written += count;
    }

    /// <summary>Writes the bytes of an unmanaged <paramref name="value"/> as they are, as MemoryPack does.</summary>
    public void WriteRaw<TValue>(scoped in TValue value)
    {
        int size = Unsafe.SizeOf<TValue>();
        Unsafe.WriteUnaligned(Reserve(size), value);
        Written += size;
    }

    public Span<byte> GetSpan(int sizeHint = 0) => new(Reserve(sizeHint), _capacity - Written);

    public Memory<byte> GetMemory(int sizeHint = 0) => _memory.Over(Reserve(sizeHint), _capacity - Written);

    private byte* Reserve(int sizeHint)
    {
        if (_capacity - Written < Math.Max(sizeHint, 1))
        {
            throw new OverflowException();
        }

        return _start + Written;
    }

    /// <summary>The message needs more room than the free lines in place: the producer serializes it aside instead.</summary>
    public sealed class OverflowException() : Exception("the record needs more room than is free in place.");

    /// <summary>A Memory over the shared mapping, for callers that ask for Memory rather than Span.</summary>
    private sealed class PointerMemory : MemoryManager<byte>
    {
        private byte* _pointer;
        private int _length;

        public Memory<byte> Over(byte* pointer, int length)
        {
            _pointer = pointer;
            _length = length;
            return Memory;
        }

        public override Span<byte> GetSpan() => new(_pointer, _length);

        public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }
    }
}
