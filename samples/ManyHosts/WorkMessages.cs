using MemoryPack;

namespace ManyHosts;

/// <summary>A file for a consumer to check: its path and what it must hash to. The bytes stay in the file.</summary>
[MemoryPackable]
public partial record FileJob(string Path, long Length, string Sha256)
{
    /// <summary>The job that tells a consumer no more files will come.</summary>
    public static FileJob NoMoreFiles { get; } = new(Path: "", Length: 0, Sha256: "");

    [MemoryPackIgnore]
    public bool IsNoMoreFiles => Path.Length == 0;
}

/// <summary>What a consumer found, and on which "host" (process) it ran.</summary>
[MemoryPackable]
public partial record FileReport(int ConsumerNumber, string Host, string Path, bool ChecksumMatches);
