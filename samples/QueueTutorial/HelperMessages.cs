using MemoryPack;
using TypedIpc;

namespace QueueTutorial;

/// <summary>
/// The tutorial process asks its helper process to get one item from the full tutorial queue after
/// <paramref name="PauseBeforeGet"/>, so that the blocked put can be watched for that long before it is released.
/// </summary>
[IpcQueue(maxsize: 1)]
[MemoryPackable]
public partial record HelperRequest(TimeSpan PauseBeforeGet);

/// <summary>The helper process's answer: who it is and, as Python prints it, the item it got.</summary>
[IpcQueue(maxsize: 1)]
[MemoryPackable]
public partial record HelperReport(int ProcessId, string ItemGot);
