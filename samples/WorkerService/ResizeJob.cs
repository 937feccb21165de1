using MemoryPack;
using TypedIpc;

namespace WorkerService;

/// <summary>A job for the worker: make a thumbnail of an image. The generator writes its queue, ResizeJobQueue.</summary>
[MemoryPackable]
[IpcQueue(64)]
public partial record ResizeJob(int Id, string ImagePath, int Width);
