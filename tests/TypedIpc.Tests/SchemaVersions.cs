using MemoryPack;

namespace TypedIpc.Tests;

/// <summary>Two builds of "the same" message type whose schemas differ, as the generator would fingerprint them.</summary>
public static partial class SchemaVersion1
{
    [MemoryPackable]
    [IpcSchemaFingerprint(0x1111)]
    public sealed partial record Payload(string Path);
}

/// <summary>The later build of <see cref="SchemaVersion1.Payload"/>.</summary>
public static partial class SchemaVersion2
{
    [MemoryPackable]
    [IpcSchemaFingerprint(0x2222)]
    public sealed partial record Payload(string Path);
}
