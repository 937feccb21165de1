using MemoryPack;
using TypedIpc;

// A type in the global namespace is the shape under test here; CA1050 tells users not to declare one.
#pragma warning disable CA1050

/// <summary>A message in the global namespace.</summary>
/// <param name="Sequence">Its place in the stream.</param>
[IpcQueue, MemoryPackable]
public partial record Ping(int Sequence);
