using MemoryPack;
using TypedIpc;

namespace FilePaths;

/// <summary>
/// A file for a consumer to process. Only its path and what is needed to check it travel through the queue
/// (a message of about a hundred bytes); the megabytes stay in the file, as the tutorial advises.
/// </summary>
[IpcQueue(maxsize: 16)]
[MemoryPackable]
public partial record FileJob(string Path, long Length, string Sha256)
{
    /// <summary>The job that tells a consumer no more files will come (where Python code would put <c>None</c>).</summary>
    public static FileJob NoMoreFiles { get; } = new(Path: "", Length: 0, Sha256: "");

    [MemoryPackIgnore]
    public bool IsNoMoreFiles => Path.Length == 0;
}

/// <summary>What a consumer found when it processed one file.</summary>
[IpcQueue(maxsize: 16)]
[MemoryPackable]
public partial record FileReport(int ConsumerNumber, int ProcessId, string Path, bool ChecksumMatches, double Milliseconds);

// The wrong way, kept as a comment because it would not build here (warnings are errors): it puts the file's bytes
// on the queue instead of its path. TIPC001 flags the byte[] member (send a path or a reference instead) and
// TIPC002 flags the Put of File.ReadAllBytes; at run time each 8 MiB message would also exceed the queue's
// MaxMessageBytes (4 KiB unless raised) and throw MessageTooLargeException.
//
// [IpcQueue(maxsize: 16), MemoryPackable]
// public partial record FileContents(string Name, byte[] Data);
//
// using var contents = FileContentsQueue.Open();
// contents.Put(new FileContents(path, File.ReadAllBytes(path)));
