using MemoryPack;

namespace TypedIpc.Conformance;

/// <summary>A message with a body of any size, to fill a queue's byte capacity or exceed its per-message limit.</summary>
[MemoryPackable]
public partial record Sized(int Number, string Body);
