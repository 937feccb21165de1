using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using TypedIpc.Platform.Linux;

namespace TypedIpc.Blobs;

/// <summary>
/// The header at the start of every blob file; the data follows at <see cref="Bytes"/>. <see cref="Writer"/> names
/// the writer's liveness file (<see cref="BlobOwner"/>), which lets <see cref="SharedBlob.Sweep"/> tell an
/// abandoned blob from one in flight.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = Bytes)]
internal struct BlobHeader
{
    public const int Bytes = 64;
    public const ulong ExpectedMagic = 0x424F4C4243504954; // "TIPCBLOB" in little-endian ASCII
    public const int CurrentLayoutVersion = 2;

    public ulong Magic;
    public int LayoutVersion;
    public int HeaderBytes;
    public Guid Writer;
    public long Length;
    public ulong Checksum;
}

/// <summary>
/// The files of shared blobs in /dev/shm:
/// <list type="number">
/// <item><c>.typedipc-blob.&lt;name&gt;.writing-by.&lt;owner&gt;</c> while the writer fills it (hidden, never handed out);</item>
/// <item><c>typedipc-blob.&lt;name&gt;</c> once written: the name a <see cref="BlobRef"/> refers to;</item>
/// <item><c>typedipc-blob.&lt;name&gt;.opened-by.&lt;owner&gt;</c> from the rename that consumes it until its reader disposes it;</item>
/// <item><c>.typedipc-blob-owner.&lt;owner&gt;</c>, a process's liveness file (<see cref="BlobOwner"/>), first created as
/// <c>.typedipc-blob-owner.&lt;owner&gt;.locking</c>.</item>
/// </list>
/// Names and owners are Guids in 32 hexadecimal digits; an owner names the process whose exit makes a file garbage.
/// </summary>
internal static class BlobFile
{
    public const string Directory = "/dev/shm";
    public const string Prefix = "typedipc-blob.";
    private const string OwnerPrefix = ".typedipc-blob-owner.";
    private const string WritingMarker = ".writing-by.";
    private const string OpenedMarker = ".opened-by.";
    private const string LockingSuffix = ".locking";
    private const int GuidDigits = 32;

    /// <summary>The search pattern that every blob file and liveness file matches.</summary>
    public const string SearchPattern = "*typedipc-blob*";

    public static string NewName() => Guid.NewGuid().ToString("N");

    public static bool IsValidName(string name) => Guid.TryParseExact(name, "N", out _);

    public static string PathFor(string name) => $"{Directory}/{Prefix}{name}";

    public static string WritingPath(string name, Guid writer) => $"{Directory}/.{Prefix}{name}{WritingMarker}{writer:N}";

    public static string OpenedPath(string name, Guid reader) => $"{Directory}/{Prefix}{name}{OpenedMarker}{reader:N}";

    public static string OwnerPath(Guid owner) => $"{Directory}/{OwnerPrefix}{owner:N}";

    public static string OwnerLockingPath(Guid owner) => $"{OwnerPath(owner)}{LockingSuffix}";

    /// <summary>The blob's name in the name of one of its files (one that <see cref="Classify"/> calls a blob).</summary>
    public static string BlobNameOf(string fileName) => fileName.TrimStart('.').Substring(Prefix.Length, GuidDigits);

    /// <summary>The process holding <paramref name="name"/> open, if any.</summary>
    public static Guid? FindReader(string name) =>
        System.IO.Directory.EnumerateFiles(Directory, $"{Prefix}{name}{OpenedMarker}*")
            .Select(path => Classify(Path.GetFileName(path)))
            .Where(file => file.Kind == BlobFileKind.Opened)
            .Select(file => (Guid?)file.Owner)
            .FirstOrDefault();

    /// <summary>
    /// Classifies a file name in /dev/shm, with the owner whose exit makes it garbage; a written blob records its
    /// writer inside (<see cref="BlobHeader.Writer"/>), so its owner here is empty.
    /// </summary>
    public static (BlobFileKind Kind, Guid Owner) Classify(string fileName)
    {
        if (fileName.StartsWith(OwnerPrefix, StringComparison.Ordinal))
        {
            string rest = fileName[OwnerPrefix.Length..];
            bool locking = rest.EndsWith(LockingSuffix, StringComparison.Ordinal);
            return Guid.TryParseExact(locking ? rest[..^LockingSuffix.Length] : rest, "N", out Guid process)
                ? (locking ? BlobFileKind.OwnerBeingLocked : BlobFileKind.Owner, process)
                : (BlobFileKind.Other, Guid.Empty);
        }

        bool hidden = fileName.StartsWith('.');
        ReadOnlySpan<char> stem = hidden ? fileName.AsSpan(1) : fileName;
        if (!stem.StartsWith(Prefix, StringComparison.Ordinal) || stem.Length < Prefix.Length + GuidDigits
            || !Guid.TryParseExact(stem.Slice(Prefix.Length, GuidDigits), "N", out _))
        {
            return (BlobFileKind.Other, Guid.Empty);
        }

        ReadOnlySpan<char> suffix = stem[(Prefix.Length + GuidDigits)..];
        if (suffix.IsEmpty)
        {
            return hidden ? (BlobFileKind.Other, Guid.Empty) : (BlobFileKind.Written, Guid.Empty);
        }

        return OwnerAfter(suffix, hidden ? WritingMarker : OpenedMarker) is { } owner
            ? (hidden ? BlobFileKind.Writing : BlobFileKind.Opened, owner)
            : (BlobFileKind.Other, Guid.Empty);
    }

    /// <summary>The writer a written blob's header names; null when the file is not a regular file of ours with a current header.</summary>
    public static Guid? WriterOf(string path)
    {
        try
        {
            if (ShmFile.OpenExisting(path, LibC.O_RDONLY, allowForeignOwner: false, "a blob") is not { } file)
            {
                return null;
            }

            using SafeFileHandle handle = file.Handle;
            BlobHeader header = default;
            int read = RandomAccess.Read(handle, MemoryMarshal.AsBytes(new Span<BlobHeader>(ref header)), 0);
            return read == BlobHeader.Bytes && header.Magic == BlobHeader.ExpectedMagic
                && header.LayoutVersion == BlobHeader.CurrentLayoutVersion ? header.Writer : null;
        }
        catch (Exception e) when (e is SharedMemoryException or IOException)
        {
            return null;
        }
    }

    private static Guid? OwnerAfter(ReadOnlySpan<char> suffix, string marker) =>
        suffix.StartsWith(marker, StringComparison.Ordinal) && Guid.TryParseExact(suffix[marker.Length..], "N", out Guid owner)
            ? owner
            : null;
}

internal enum BlobFileKind
{
    Other,
    Writing,
    Written,
    Opened,
    Owner,
    OwnerBeingLocked,
}
