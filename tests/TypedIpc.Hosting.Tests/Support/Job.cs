using MemoryPack;

namespace TypedIpc.Hosting.Tests.Support;

/// <summary>A message whose queue class (JobQueue) the [IpcQueue] generator writes.</summary>
[MemoryPackable]
[IpcQueue(8)]
public partial record Job(int Id);
