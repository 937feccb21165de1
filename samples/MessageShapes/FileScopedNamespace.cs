using MemoryPack;
using TypedIpc;

namespace MessageShapes.FileScoped;

/// <summary>A message in a file-scoped namespace.</summary>
/// <param name="Path">Where the input is.</param>
[IpcQueue, MemoryPackable]
public partial record Job(string Path);
