using System.Runtime.InteropServices;

namespace TypedIpc.Internal;

// What is in the mapping: the whole shared region of one queue, in one place.
// Every process maps the same file (/dev/shm/typedipc.<name>) and sees these bytes.
// All integers are little-endian machine words; counters are touched only with Volatile/Interlocked.
//
//  offset          size                 field                      written by
//  -------------   ------------------   ------------------------   -----------------------------------------
//  0               8                    Magic "TYPEDIPC"           creator, once (before the name is linked)
//  8               4                    LayoutVersion              creator
//  12              4                    HeaderBytes (= 512)        creator
//  16              8                    RegionBytes                creator
//  24              4                    SlotCount                  creator
//  28              4                    SlotStride                 creator
//  32              4                    MaxMessageBytes            creator
//  36              4                    MaxSize (0 = unbounded)    creator
//  40              8                    SchemaFingerprint          creator
//  48              4                    TypeNameBytes              creator
//  52              4                    ProcessTableCapacity       creator
//  64              128                  TypeName (UTF-8)           creator
//  192             8                    Tail (next put position)   producers   (own cache line)
//  256             8                    Head (next get position)   consumers   (own cache line)
//  320             4                    ItemsPublished (futex)     producers, woken consumers sleep on it
//  324             4                    GetWaiters                 consumers about to sleep
//  384             4                    SlotsReleased (futex)      consumers, woken producers sleep on it
//  388             4                    PutWaiters                 producers about to sleep
//  512             32 × 1024            ProcessTable[1024]         each attached queue instance owns one entry
//  33280           SlotStride × Count   Slots[SlotCount]           producers and consumers (see QueueProtocol)
//
//  ProcessEntry (32 bytes):  0 Identity (pid << 41 | start time, 0 = free)  8 Generation  12 GetWaiters  16 PutWaiters
//  Slot (SlotStride bytes, 64-aligned): 0 State (see SlotState)  8 Length  16 Payload[MaxMessageBytes]

/// <summary>The fixed header at offset 0 of every queue region.</summary>
[StructLayout(LayoutKind.Explicit, Size = Bytes)]
internal unsafe struct QueueHeader
{
    public const int Bytes = 512;
    public const ulong ExpectedMagic = 0x4350494445505954; // "TYPEDIPC" read as a little-endian ulong
    public const int CurrentLayoutVersion = 1;
    public const int TypeNameCapacity = 128;

    [FieldOffset(0)] public ulong Magic;
    [FieldOffset(8)] public int LayoutVersion;
    [FieldOffset(12)] public int HeaderBytes;
    [FieldOffset(16)] public long RegionBytes;
    [FieldOffset(24)] public int SlotCount;
    [FieldOffset(28)] public int SlotStride;
    [FieldOffset(32)] public int MaxMessageBytes;
    [FieldOffset(36)] public int MaxSize;
    [FieldOffset(40)] public ulong SchemaFingerprint;
    [FieldOffset(48)] public int TypeNameBytes;
    [FieldOffset(52)] public int ProcessTableCapacity;
    [FieldOffset(64)] public fixed byte TypeName[TypeNameCapacity];

    [FieldOffset(192)] public long Tail;
    [FieldOffset(256)] public long Head;

    [FieldOffset(320)] public int ItemsPublished;
    [FieldOffset(324)] public int GetWaiters;
    [FieldOffset(384)] public int SlotsReleased;
    [FieldOffset(388)] public int PutWaiters;
}

/// <summary>One attached queue instance: who it is, so that survivors can tell whether it still lives.</summary>
[StructLayout(LayoutKind.Explicit, Size = Bytes)]
internal struct ProcessEntry
{
    public const int Bytes = 32;

    [FieldOffset(0)] public ulong Identity;
    [FieldOffset(8)] public uint Generation;
    [FieldOffset(12)] public int GetWaiters;
    [FieldOffset(16)] public int PutWaiters;
}

/// <summary>The fixed part of a slot; the payload follows at <see cref="PayloadOffset"/>.</summary>
[StructLayout(LayoutKind.Explicit, Size = PayloadOffset)]
internal struct SlotHeader
{
    public const int PayloadOffset = 16;

    [FieldOffset(0)] public ulong State;
    [FieldOffset(8)] public int Length;
}

/// <summary>Where a slot's position is: see the state diagram in QueueProtocol.cs.</summary>
internal enum SlotPhase : ulong
{
    Free = 0,
    Writing = 1,
    Ready = 2,
    Reading = 3,
    Abandoned = 4,
}

/// <summary>
/// The bits of <see cref="SlotHeader.State"/>: <c>[sequence:32 | phase:3 | owner:29]</c>, where the owner of a
/// claim (phases Writing and Reading) is <c>process-table index:10 | entry generation:19</c>.
/// </summary>
internal static class SlotState
{
    private const int PhaseShift = 29;
    private const ulong PhaseMask = 0x7;
    private const uint OwnerMask = (1u << PhaseShift) - 1;
    private const int OwnerIndexShift = 19;
    private const uint GenerationMask = (1u << OwnerIndexShift) - 1;

    public static ulong MakeState(uint sequence, SlotPhase phase, uint owner) =>
        ((ulong)sequence << 32) | ((ulong)phase << PhaseShift) | (owner & OwnerMask);

    public static uint SequenceOf(ulong state) => (uint)(state >> 32);

    public static SlotPhase PhaseOf(ulong state) => (SlotPhase)((state >> PhaseShift) & PhaseMask);

    public static uint OwnerOf(ulong state) => (uint)state & OwnerMask;

    public static bool IsClaim(ulong state) => PhaseOf(state) is SlotPhase.Writing or SlotPhase.Reading;

    public static uint OwnerToken(int entryIndex, uint generation) =>
        ((uint)entryIndex << OwnerIndexShift) | (generation & GenerationMask);

    public static int EntryIndexOf(uint owner) => (int)(owner >> OwnerIndexShift);
}

/// <summary>Sizes and offsets derived from the settings a queue is created with.</summary>
internal readonly record struct QueueGeometry(int SlotCount, int SlotStride, int MaxMessageBytes, int MaxSize)
{
    public const int CacheLine = 64;
    public const int ProcessTableCapacity = 1024;
    public const long ProcessTableOffset = QueueHeader.Bytes;
    public const long SlotsOffset = ProcessTableOffset + (long)ProcessTableCapacity * ProcessEntry.Bytes;

    public long RegionBytes => SlotsOffset + (long)SlotCount * SlotStride;

    public static int StrideFor(int maxMessageBytes) =>
        checked((SlotHeader.PayloadOffset + maxMessageBytes + CacheLine - 1) / CacheLine * CacheLine);
}
