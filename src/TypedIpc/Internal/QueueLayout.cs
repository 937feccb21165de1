using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace TypedIpc.Internal;

// What is in the mapping: the whole shared region of one queue, in one place.
// Every process maps the same file (/dev/shm/typedipc.<name>) and sees these bytes. All integers are
// little-endian; words that change after creation are touched only with Volatile/Interlocked. The protocol
// that moves them is in QueueProtocol.cs.
//
//  offset          size                  field                       written by
//  -------------   -------------------   -------------------------   ----------------------------------------
//  0               8                     Magic "TYPEDIPC"            creator, once (before the name is linked)
//  8               4                     LayoutVersion (= 7)         creator
//  12              4                     HeaderBytes (= 1024)        creator
//  16              8                     RegionBytes                 creator
//  24              4                     MaxMessageBytes             creator
//  28              4                     MaxSize (0 = unbounded)     creator
//  32              8                     SchemaFingerprint           creator
//  40              4                     SlotCount (power of two)    creator
//  44              4                     DataLines                   creator
//  48              4                     ProcessTableCapacity        creator
//  52              4                     TypeNameBytes               creator
//  56              4                     Flags [QueueFlags]          creator
//  64              128                   TypeName (UTF-8)            creator
//  256             8                     Tail   [items:32 | line position:30 | skipped:1 | locked:1]   the producer holding it
//  384             8                     Head   [items:32, in the low half]                 consumers (CAS)
//  512             8                     Released [items:32 | line position:32]             producers short of room
//  640             4                     ItemsFutex [wakes:31 | sleepers:1]                 consumers sleep on it
//  768             4                     SpaceFutex [wakes:31 | sleepers:1]                 producers sleep on it
//  896             4                     Lifecycle [QueueLifecycle]                         Shutdown, in any process
//  960             4                     TasksFutex [wakes:31 | sleepers:1]                 joiners sleep on it (joinable only)
//  968             8                     AbandonedReported (tasks ever reported abandoned)  joiners (joinable only)
//  1024            64 × 1024             ProcessTable[1024]          each thread of an attached instance, its own
//  66560           B × SlotCount         Slots[SlotCount], B bytes each (B = SlotBytes: 128 with maxsize > 0, else 16)
//  66560 + B·S     64 × DataLines        Data: the byte ring of records, one 64-byte line at a time
//
//  ProcessEntry (64 bytes): 0 Pid (display only)  4 Activity  8 PutFrom (the Tail it locked)
//                           16 GetFrom (first item it claimed)  24 GetCount
//                           32 Tasks [abandoned:32 | held:32] (joinable only; see QueueProtocol.Tasks.cs)
//  Slot (16 or 128 bytes): 0 State [item:32 | record length in bytes:30 | in the ring:1 | ready:1]
//                   8 either Start (the line position of a record in the ring) or the bytes of a record of at most
//                   SlotBytes - 8 bytes, which lives here, in the lines the consumer reads anyway, and takes no line
//                   of the ring (the first record after lines a Tail skipped goes to the ring, whatever its size).
//                   A 128-byte slot (bounded queues: few slots) is an adjacent pair of lines, fetched together, and
//                   carries records up to 120 bytes; one of up to 56 bytes shares the first line with State, so
//                   that putting and getting it moves one line between cores. A 16-byte slot (unbounded queues: a
//                   slot per line of data) carries records up to 8 bytes. The record half stays in State when the
//                   slot is released, for the producers that walk released records. Item i is in slot
//                   Slot.IndexOf(i): with four slots to a line, consecutive items in different cache lines.
//
// Line positions run over [0, 2 × DataLines): a position names a line of the ring (position mod DataLines) and
// which of two laps it is on, so that "empty" and "full" differ when Tail and Released point at the same line.
// A record never wraps: one that would cross the end of the ring starts at the next lap's line 0.

/// <summary>The fixed header at offset 0 of every queue region.</summary>
[StructLayout(LayoutKind.Explicit, Size = Bytes)]
internal unsafe struct QueueHeader
{
    public const int Bytes = 1024;
    public const ulong ExpectedMagic = 0x4350494445505954; // "TYPEDIPC" read as a little-endian ulong
    public const int CurrentLayoutVersion = 7;
    public const int TypeNameCapacity = 128;

    [FieldOffset(0)] public ulong Magic;
    [FieldOffset(8)] public int LayoutVersion;
    [FieldOffset(12)] public int HeaderBytes;
    [FieldOffset(16)] public long RegionBytes;
    [FieldOffset(24)] public int MaxMessageBytes;
    [FieldOffset(28)] public int MaxSize;
    [FieldOffset(32)] public ulong SchemaFingerprint;
    [FieldOffset(40)] public int SlotCount;
    [FieldOffset(44)] public int DataLines;
    [FieldOffset(48)] public int ProcessTableCapacity;
    [FieldOffset(52)] public int TypeNameBytes;
    [FieldOffset(56)] public int Flags;
    [FieldOffset(64)] public fixed byte TypeName[TypeNameCapacity];

    // The hot words, 128 bytes apart so that no two share a cache line or an adjacent-line prefetch pair.
    [FieldOffset(256)] public ulong Tail;
    [FieldOffset(384)] public ulong Head;
    [FieldOffset(512)] public ulong Released;
    [FieldOffset(640)] public int ItemsFutex;
    [FieldOffset(768)] public int SpaceFutex;

    // Read by every put and get, written once or twice in the queue's life: on a line of its own, so it stays cached.
    [FieldOffset(896)] public int Lifecycle;

    // Only joiners and TaskDone calls that end a held count touch these: next to Lifecycle's line, never on it.
    [FieldOffset(960)] public int TasksFutex;
    [FieldOffset(968)] public long AbandonedReported;
}

/// <summary>What a queue was created as (the header's Flags word): fixed at creation, checked by every opener.</summary>
[Flags]
internal enum QueueFlags
{
    None = 0,

    /// <summary>Created with QueueOptions.Joinable: TaskDone and Join work, gets count what they take as held tasks.</summary>
    Joinable = 1,
}

/// <summary>Whether a queue still takes items (the header's Lifecycle word); it only moves forward, until Unlink.</summary>
internal enum QueueLifecycle
{
    Open = 0,

    /// <summary>Puts throw; gets take what is left, then throw.</summary>
    ShutDown = 1,

    /// <summary>Puts throw; gets discard whatever is (still) there, then throw.</summary>
    ShutDownImmediately = 2,
}

/// <summary>What a thread of an attached queue instance is doing, for sleepers' bookkeeping and inspection.</summary>
internal enum EntryActivity
{
    Idle = 0,
    SleepingInGet = 1,
    SleepingInPut = 2,
    SleepingInJoin = 3,
}

/// <summary>
/// One process-table entry: owned by whoever holds the kernel lock on byte <c>index</c> of the queue file (see
/// QueueProtocol.cs). Its intents say which claims its owner may hold, so that survivors can finish them.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = Bytes)]
internal struct ProcessEntry
{
    public const int Bytes = 64;
    public const ulong NoIntent = ulong.MaxValue;

    [FieldOffset(0)] public int Pid;
    [FieldOffset(4)] public int Activity;
    [FieldOffset(8)] public ulong PutFrom;
    [FieldOffset(16)] public ulong GetFrom;
    [FieldOffset(24)] public uint GetCount;
    [FieldOffset(32)] public ulong Tasks;

    /// <summary>Whether a get intent (<paramref name="getFrom"/>, <paramref name="getCount"/>) covers <paramref name="item"/>.</summary>
    public static bool Covers(ulong getFrom, uint getCount, uint item) => getFrom != NoIntent && item - (uint)getFrom < getCount;
}

/// <summary>
/// One item's descriptor: where it is in the ring of items, its record's length, and either where the record is in the
/// data or the record itself (see the table above).
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = Bytes)]
internal struct Slot
{
    /// <summary>The bytes of a slot of an unbounded queue: four to a line.</summary>
    public const int Bytes = 16;

    /// <summary>Where a record in the slot starts: after State, over Start, which only a record in the ring needs.</summary>
    public const int InlineOffset = 8;

    /// <summary>
    /// The bytes of a slot that carries small records inline: an adjacent pair of cache lines, which holds a typical
    /// message of a path and a few numbers (a 40-character path serializes to about 53 bytes) in its first line.
    /// </summary>
    public const int InlineSlotBytes = 2 * QueueGeometry.LineBytes;

    [FieldOffset(0)] public ulong State;
    [FieldOffset(8)] public uint Start;

    /// <summary>
    /// The slot of item <paramref name="item"/> when four slots share a line: consecutive items go to consecutive
    /// cache lines (slot 0, 4, 8, ..., then 1, 5, 9, ...), so that a producer filling one slot never shares a line
    /// with the consumer emptying the previous one. <paramref name="lineMask"/> is SlotCount / 4 - 1 and
    /// <paramref name="lineShift"/> its bit count. A slot of lines of its own is simply item mod SlotCount.
    /// </summary>
    public static uint IndexOf(uint item, uint lineMask, int lineShift) => ((item & lineMask) << 2) | ((item >> lineShift) & 3);
}

/// <summary>
/// The slot order of a geometry (see <see cref="Slot.IndexOf"/>) reduced once to masks and shifts: where item i's slot
/// is, from the start of the slots, with no more work than the protocol's hot path can afford.
/// </summary>
internal readonly struct SlotOrder
{
    private readonly uint _slotMask;
    private readonly uint _lineMask;
    private readonly int _lineShift;
    private readonly int _slotShift;
    private readonly bool _sharesLines;

    public SlotOrder(int slotCount, int slotBytes)
    {
        _slotMask = (uint)slotCount - 1;
        _lineMask = (uint)slotCount / 4 - 1;
        _lineShift = BitOperations.Log2((uint)slotCount / 4);
        _slotShift = BitOperations.Log2((uint)slotBytes);
        _sharesLines = slotBytes < QueueGeometry.LineBytes;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long OffsetOf(uint item) => (long)(_sharesLines ? Slot.IndexOf(item, _lineMask, _lineShift) : item & _slotMask) << _slotShift;
}

/// <summary>Where a slot stands for the item it serves.</summary>
internal enum SlotPhase : uint
{
    /// <summary>Waiting for the producer of this item (initially, and after the previous lap's item was released).</summary>
    Free = 0,

    /// <summary>The record is complete: a consumer may take it.</summary>
    Ready = 1,
}

/// <summary>The packings of the state words; see the layout table above.</summary>
internal static class Packing
{
    private const ulong ItemAndPhase = 0xFFFF_FFFF_0000_0001;
    private const ulong RecordBits = 0xFFFF_FFFE;
    private const ulong InRingBit = 2;
    private const ulong LockedBit = 1;
    private const ulong SkippedBit = 2;

    /// <summary>A slot's State: the item it serves, the phase, and the item's record (<see cref="Record"/>).</summary>
    public static ulong SlotState(uint item, SlotPhase phase, ulong record) => ((ulong)item << 32) | record | (uint)phase;

    /// <summary>The record half of a slot's State: its length, and whether it is in the ring (at Start) or the slot.</summary>
    public static ulong Record(int length, bool inRing) => ((ulong)(uint)length << 2) | (inRing ? InRingBit : 0);

    /// <summary>The record half of <paramref name="state"/>, as <see cref="Record"/> made it.</summary>
    public static ulong RecordOf(ulong state) => state & RecordBits;

    /// <summary>Whether <paramref name="state"/> is <paramref name="phase"/> for <paramref name="item"/>, whatever its record.</summary>
    public static bool Is(ulong state, uint item, SlotPhase phase) => (state & ItemAndPhase) == (((ulong)item << 32) | (uint)phase);

    public static int RecordLength(ulong state) => (int)((uint)state >> 2);

    public static bool IsInRing(ulong state) => (state & InRingBit) != 0;

    public static ulong Tail(uint items, uint linePosition) => ((ulong)items << 32) | ((ulong)linePosition << 2);

    /// <summary>
    /// The Tail of a producer that unlocks without having written a record: one line on, a value the Tail never had, with
    /// the skipped flag, which sends the next record to the ring so that its Start tells where the used lines go on.
    /// </summary>
    public static ulong SkippedTail(uint items, uint linePosition) => Tail(items, linePosition) | SkippedBit;

    public static ulong Locked(ulong tail) => tail | LockedBit;

    public static bool IsLocked(ulong tail) => (tail & LockedBit) != 0;

    public static bool HasSkipped(ulong tail) => (tail & SkippedBit) != 0;

    /// <summary>Either flag: the Tail is locked, or its next record must go to the ring.</summary>
    public static bool IsLockedOrSkipped(ulong tail) => (tail & (LockedBit | SkippedBit)) != 0;

    public static uint ItemsOf(ulong word) => (uint)(word >> 32);

    public static uint TailPosition(ulong tail) => (uint)tail >> 2;

    public static ulong Released(uint items, uint linePosition) => ((ulong)items << 32) | linePosition;

    public static uint ReleasedPosition(ulong released) => (uint)released;
}

/// <summary>Sizes and offsets derived from the settings a queue is created with.</summary>
internal readonly record struct QueueGeometry(int SlotCount, int DataLines, int MaxMessageBytes, int MaxSize)
{
    public const int LineBytes = 64;
    public const int ProcessTableCapacity = 1024;
    public const int MaxDataLines = 1 << 29;
    public const long ProcessTableOffset = QueueHeader.Bytes;
    public const long SlotsOffset = ProcessTableOffset + (long)ProcessTableCapacity * ProcessEntry.Bytes;

    /// <summary>
    /// Bytes per slot: a bounded queue has few slots, so each gets a pair of lines and carries small records inline;
    /// an unbounded one has a slot per line of data, which stays at 16 bytes.
    /// </summary>
    public int SlotBytes => MaxSize > 0 ? Slot.InlineSlotBytes : Slot.Bytes;

    /// <summary>The largest record that lives in its slot instead of the ring.</summary>
    public int InlineBytes => SlotBytes - Slot.InlineOffset;

    public long DataOffset => SlotsOffset + (long)SlotCount * SlotBytes;

    public SlotOrder SlotOrder => new(SlotCount, SlotBytes);

    /// <summary>Where item <paramref name="item"/>'s slot is, from the start of the region.</summary>
    public long SlotOffsetOf(uint item) => SlotsOffset + SlotOrder.OffsetOf(item);

    public long RegionBytes => DataOffset + (long)DataLines * LineBytes;

    /// <summary>How many items fit at once: maxsize, or for an unbounded queue one per line of data.</summary>
    public int ItemBound => MaxSize > 0 ? MaxSize : DataLines;

    /// <summary>Lines of the largest record.</summary>
    public int MaxRecordLines => LinesFor(MaxMessageBytes);

    public static int LinesFor(int bytes) => Math.Max(1, (bytes + LineBytes - 1) / LineBytes);

    /// <summary>
    /// The geometry for a maxsize and options. A bounded queue gets room for maxsize of the largest records plus one
    /// (what a record skipping the end of the ring may waste), so bytes never bound it unless
    /// <paramref name="capacityBytes"/> is given lower; an unbounded one gets <paramref name="capacityBytes"/>.
    /// </summary>
    public static QueueGeometry For(int maxsize, int maxMessageBytes, long? capacityBytes, long defaultCapacityBytes)
    {
        long recordLines = LinesFor(maxMessageBytes);
        long lines = maxsize > 0 ? (maxsize + 1L) * recordLines : (capacityBytes ?? defaultCapacityBytes) / LineBytes;
        if (maxsize > 0 && capacityBytes is { } limit)
        {
            lines = Math.Min(lines, limit / LineBytes);
        }

        int dataLines = (int)Math.Clamp(lines, 0, int.MaxValue);
        return new QueueGeometry(SlotCountFor(maxsize > 0 ? maxsize : dataLines), dataLines, maxMessageBytes, maxsize);
    }

    /// <summary>Slots for an item bound: a power of two (item numbers wrap at 2^32), at least 4.</summary>
    public static int SlotCountFor(int itemBound) => (int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(itemBound, 4, MaxDataLines));

    /// <summary>Whether the data ring holds the largest record wherever the tail stands (twice its lines, see For).</summary>
    public bool HoldsLargestRecord => DataLines >= 2L * MaxRecordLines && DataLines <= MaxDataLines;
}
