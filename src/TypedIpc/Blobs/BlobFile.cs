using System.Globalization;
using System.Runtime.InteropServices;
using TypedIpc.Platform;

namespace TypedIpc.Blobs;

/// <summary>
/// The header at the start of every blob file; the data follows at <see cref="Bytes"/>. The writer's identity
/// (<see cref="ProcessIdentity"/>) lets <see cref="SharedBlob.Sweep"/> tell an abandoned blob from one in flight.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = Bytes)]
internal struct BlobHeader
{
    public const int Bytes = 64;
    public const ulong ExpectedMagic = 0x424F4C4243504954; // "TIPCBLOB" in little-endian ASCII
    public const int CurrentLayoutVersion = 1;

    public ulong Magic;
    public int LayoutVersion;
    public int HeaderBytes;
    public ulong WriterIdentity;
    public long Length;
    public ulong Checksum;
}

/// <summary>
/// Where a blob lives in /dev/shm during its life:
/// <list type="number">
/// <item><c>.typedipc-blob.&lt;name&gt;.writing-by.&lt;writer&gt;</c> while the writer fills it (hidden, never handed out);</item>
/// <item><c>typedipc-blob.&lt;name&gt;</c> once written: the name a <see cref="BlobRef"/> refers to;</item>
/// <item><c>typedipc-blob.&lt;name&gt;.opened-by.&lt;reader&gt;</c> from the rename that consumes it until its reader disposes it.</item>
/// </list>
/// The identities are <see cref="ProcessIdentity"/> values in hexadecimal, so that a sweep can tell whether the
/// process that holds a blob still runs.
/// </summary>
internal static class BlobFile
{
    public const string Directory = "/dev/shm";
    public const string Prefix = "typedipc-blob.";
    private const string WritingMarker = ".writing-by.";
    private const string OpenedMarker = ".opened-by.";

    public static string NewName() => Guid.NewGuid().ToString("N");

    public static bool IsValidName(string name) => Guid.TryParseExact(name, "N", out _);

    public static string PathFor(string name) => $"{Directory}/{Prefix}{name}";

    public static string WritingPath(string name, ulong writer) => $"{Directory}/.{Prefix}{name}{WritingMarker}{writer:x16}";

    public static string OpenedPath(string name, ulong reader) => $"{Directory}/{Prefix}{name}{OpenedMarker}{reader:x16}";

    /// <summary>The process holding <paramref name="name"/> open, if any.</summary>
    public static ulong? FindReader(string name) =>
        System.IO.Directory.EnumerateFiles(Directory, $"{Prefix}{name}{OpenedMarker}*")
            .Select(path => IdentityAfter(Path.GetFileName(path), OpenedMarker))
            .FirstOrDefault(identity => identity is not null);

    /// <summary>
    /// Classifies a file name in /dev/shm: the identity of the process whose death makes it garbage, or, for a
    /// written blob (whose writer is recorded inside), <see cref="BlobFileKind.Written"/>.
    /// </summary>
    public static (BlobFileKind Kind, ulong Holder) Classify(string fileName)
    {
        if (fileName.StartsWith('.') && IdentityAfter(fileName, WritingMarker) is { } writer)
        {
            return (BlobFileKind.Writing, writer);
        }

        if (IdentityAfter(fileName, OpenedMarker) is { } reader)
        {
            return (BlobFileKind.Opened, reader);
        }

        return fileName.StartsWith(Prefix, StringComparison.Ordinal) && IsValidName(fileName[Prefix.Length..])
            ? (BlobFileKind.Written, 0UL)
            : (BlobFileKind.Other, 0UL);
    }

    private static ulong? IdentityAfter(string fileName, string marker)
    {
        int at = fileName.LastIndexOf(marker, StringComparison.Ordinal);
        return at >= 0 && ulong.TryParse(fileName.AsSpan(at + marker.Length), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong identity)
            ? identity
            : null;
    }
}

internal enum BlobFileKind
{
    Other,
    Writing,
    Written,
    Opened,
}
