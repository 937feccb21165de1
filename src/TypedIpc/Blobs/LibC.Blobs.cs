using System.Runtime.InteropServices;

namespace TypedIpc.Platform.Linux;

/// <summary>The libc entry points only shared blobs need.</summary>
internal static partial class LibC
{
    public const int O_WRONLY = 0x1;
    public const int MAP_POPULATE = 0x8000;

    [LibraryImport(Library, EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Rename(string oldPath, string newPath);
}
