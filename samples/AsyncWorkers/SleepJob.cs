using MemoryPack;
using TypedIpc;

namespace AsyncWorkers;

/// <summary>
/// One job of Python's asyncio-queue example: sleep that long. The queue is joinable (Python's <c>JoinableQueue</c>):
/// the boss can wait until every job put is done, and at most 3 jobs wait in it at once.
/// </summary>
[IpcQueue(maxsize: 3, Joinable = true), MemoryPackable]
public partial record SleepJob(int Number, double Seconds);
