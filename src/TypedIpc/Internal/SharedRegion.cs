using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using TypedIpc.Platform;
using TypedIpc.Platform.Linux;

namespace TypedIpc.Internal;

/// <summary>What a process expects of a queue region: its geometry and the identity of its message type.</summary>
internal readonly record struct RegionSpec(QueueGeometry Geometry, ulong SchemaFingerprint, string TypeName);

/// <summary>
/// The mapped shared-memory file of one queue. Creation is atomic: the region is built and initialized under a
/// private temporary name, then hard-linked to the queue's name, so the name never shows a half-built region,
/// even when the creator is killed; a creator that loses the race attaches to the winner's region.
/// </summary>
internal sealed unsafe class SharedRegion : IDisposable
{
    public const string Directory = "/dev/shm";
    public const string FilePrefix = "typedipc.";
    public const int MaxNameLength = 200;
    private const string CreatingSuffix = ".creating";
    private const int CreationTokenHexDigits = 16;
    private static readonly SearchValues<char> NameCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");

    private nint _address;

    private SharedRegion(nint address, long length, QueueGeometry geometry)
    {
        _address = address;
        Length = length;
        Geometry = geometry;
    }

    public byte* Base => (byte*)_address;

    public long Length { get; }

    public QueueGeometry Geometry { get; }


    public static string PathFor(string name) => $"{Directory}/{FilePrefix}{name}";

    /// <summary>Checks a queue name: 1 to 200 characters of A–Z, a–z, 0–9, '.', '_', '-', not starting with '.' or '-'.</summary>
    public static void ValidateName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        int badCharacter = name.AsSpan().IndexOfAnyExcept(NameCharacters);
        string? problem =
            name.Length == 0 ? "is empty" :
            name.Length > MaxNameLength ? $"has {name.Length} characters, more than {MaxNameLength}" :
            badCharacter >= 0 ? $"contains the character {Describe(name[badCharacter])}" :
            name[0] is '.' or '-' ? $"starts with '{name[0]}'" :
            name.Contains("..", StringComparison.Ordinal) ? "contains '..'" :
            null;
        if (problem is not null)
        {
            throw new ArgumentException(
                $"The queue name \"{name}\" {problem}. Use 1 to {MaxNameLength} characters of A-Z, a-z, 0-9, '.', '_' " +
                "and '-', not starting with '.' or '-' (for example \"MyApp.Jobs\").",
                nameof(name));
        }
    }

    public static SharedRegion OpenOrCreate(string name, RegionSpec spec, QueueOptions options)
    {
        string path = PathFor(name);
        // A queue that is unlinked between our failed create and our open is simply created again.
        for (int attempt = 0; ; attempt++)
        {
            SharedRegion? existing = TryAttach(name, path, spec, options);
            if (existing is not null)
            {
                return existing;
            }

            SharedRegion? created = TryCreate(name, path, spec, options);
            if (created is not null)
            {
                return created;
            }

            if (attempt > 100)
            {
                throw new SharedMemoryException(
                    $"queue '{name}' kept appearing and disappearing at {path} while opening it; another process is " +
                    "creating and unlinking it in a loop.");
            }
        }
    }

    public static void Unlink(string name)
    {
        ValidateName(name);
        string path = PathFor(name);
        if (LibC.Unlink(path) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == LibC.ENOENT)
            {
                throw new QueueNotFoundException(
                    $"there is no queue named '{name}' ({path} does not exist); it was never created or is already unlinked.");
            }

            throw new SharedMemoryException($"cannot unlink queue '{name}' at {path}: {LibC.Describe(errno)}.");
        }
    }

    public void Dispose()
    {
        nint address = Interlocked.Exchange(ref _address, 0);
        if (address != 0)
        {
            LibC.Munmap(address, (nuint)Length);
        }
    }

    private static SharedRegion? TryAttach(string name, string path, RegionSpec spec, QueueOptions options)
    {
        int fd = LibC.Open(path, LibC.O_RDWR | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno switch
            {
                LibC.ENOENT => null,
                LibC.ELOOP => throw new SharedMemoryException(
                    $"{path} is a symbolic link; TypedIpc never follows one at a queue's path, because it may point at " +
                    $"another user's file. Remove it (rm {path}) and open the queue again."),
                LibC.EACCES => throw new SharedMemoryException(
                    $"no permission to open queue '{name}' at {path}. It was created by another user or with narrower " +
                    "permissions; open it as that user, or have it created with QueueOptions.FilePermissions that include you."),
                _ => throw new SharedMemoryException($"cannot open queue '{name}' at {path}: {LibC.Describe(errno)}."),
            };
        }

        try
        {
            LibC.Statx stat;
            if (LibC.StatxFd(fd, "", LibC.AT_EMPTY_PATH, LibC.STATX_BASIC_STATS, &stat) != 0)
            {
                throw new SharedMemoryException($"cannot stat {path}: {LibC.Describe(Marshal.GetLastPInvokeError())}.");
            }

            if (!options.AllowForeignOwner && stat.Uid != LibC.GetEffectiveUserId())
            {
                throw new SharedMemoryException(
                    $"{path} belongs to user id {stat.Uid}, not to this process's user ({LibC.GetEffectiveUserId()}). " +
                    "Another user may have planted it to read or feed this queue. Remove it, or set " +
                    "QueueOptions.AllowForeignOwner if the queue is shared between users on purpose.");
            }

            if ((long)stat.Size < QueueHeader.Bytes)
            {
                throw new QueueCorruptedException(
                    $"{path} has {stat.Size} bytes, fewer than a queue header ({QueueHeader.Bytes}); it is not a TypedIpc " +
                    $"queue or was truncated. Unlink it (SharedQueue.Unlink(\"{name}\") or rm {path}) and open again.");
            }

            nint address = Map(fd, (long)stat.Size, path);
            var region = new SharedRegion(address, (long)stat.Size, spec.Geometry);
            try
            {
                Validate(name, path, (QueueHeader*)address, (long)stat.Size, spec);
                return region;
            }
            catch
            {
                region.Dispose();
                throw;
            }
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    private static SharedRegion? TryCreate(string name, string path, RegionSpec spec, QueueOptions options)
    {
        RemoveAbandonedCreations(name);
        string temporary = CreationPath(name, Environment.ProcessId);
        int mode = (int)options.FilePermissions;
        int fd = LibC.Open(temporary, LibC.O_RDWR | LibC.O_CREAT | LibC.O_EXCL | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, mode);
        if (fd < 0)
        {
            throw new SharedMemoryException(
                $"cannot create queue '{name}' in {Directory}: {LibC.Describe(Marshal.GetLastPInvokeError())}.");
        }

        nint address = 0;
        long length = spec.Geometry.RegionBytes;
        try
        {
            // The umask may have removed bits the caller asked for (e.g. group access).
            LibC.Fchmod(fd, mode);
            // Reserve every page now: a full /dev/shm fails here with a clear error instead of killing a later
            // writer with SIGBUS.
            int error = LibC.PosixFallocate(fd, 0, length);
            if (error != 0)
            {
                throw new SharedMemoryException(error == LibC.ENOSPC
                    ? $"not enough space in {Directory} to create queue '{name}' ({length:N0} bytes: {spec.Geometry.SlotCount} " +
                      $"slots of {spec.Geometry.SlotStride} bytes). Free space in {Directory}, or lower maxsize, " +
                      "QueueOptions.MaxMessageBytes or QueueOptions.CapacityBytes."
                    : $"cannot size queue '{name}' to {length:N0} bytes: {LibC.Describe(error)}.");
            }

            address = Map(fd, length, temporary);
            Initialize((QueueHeader*)address, spec);
            if (LibC.Link(temporary, path) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == LibC.EEXIST)
                {
                    LibC.Munmap(address, (nuint)length);
                    return null;
                }

                throw new SharedMemoryException($"cannot publish queue '{name}' at {path}: {LibC.Describe(errno)}.");
            }

            var region = new SharedRegion(address, length, spec.Geometry);
            address = 0;
            return region;
        }
        finally
        {
            if (address != 0)
            {
                LibC.Munmap(address, (nuint)length);
            }

            LibC.Close(fd);
            LibC.Unlink(temporary);
        }
    }

    /// <summary>
    /// The private name a creator builds the region under: ".typedipc.&lt;name&gt;.&lt;pid&gt;.&lt;16 hex digits&gt;.creating".
    /// Short enough that a 200-character queue name stays within the 255 bytes a file name may have.
    /// </summary>
    internal static string CreationPath(string name, int creatorPid) =>
        $"{Directory}/.{FilePrefix}{name}.{creatorPid}.{Random.Shared.NextInt64():x16}{CreatingSuffix}";

    /// <summary>Removes temporary files that creators of this queue left behind when they were killed mid-way.</summary>
    private static void RemoveAbandonedCreations(string name)
    {
        string prefix = $".{FilePrefix}{name}.";
        foreach (string file in System.IO.Directory.EnumerateFiles(Directory, $"{prefix}*{CreatingSuffix}"))
        {
            // Exactly "<pid>.<16 hex digits>" between prefix and suffix: the temporary file of a queue whose name
            // merely extends this one's ("<name>.123") has more parts and belongs to that queue's creator.
            ReadOnlySpan<char> rest = Path.GetFileName(file.AsSpan())[prefix.Length..^CreatingSuffix.Length];
            int dot = rest.IndexOf('.');
            if (dot > 0 && rest.Length - dot - 1 == CreationTokenHexDigits
                && ulong.TryParse(rest[(dot + 1)..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _)
                && int.TryParse(rest[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                && pid != Environment.ProcessId
                && ProcFs.StartTimeIfRunning(pid) is null)
            {
                LibC.Unlink(file);
            }
        }
    }

    private static nint Map(int fd, long length, string path)
    {
        nint address = LibC.Mmap(0, (nuint)length, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 0);
        if (address == LibC.MAP_FAILED)
        {
            throw new SharedMemoryException($"cannot map {path} ({length:N0} bytes): {LibC.Describe(Marshal.GetLastPInvokeError())}.");
        }

        return address;
    }

    private static void Initialize(QueueHeader* header, RegionSpec spec)
    {
        QueueGeometry geometry = spec.Geometry;
        header->LayoutVersion = QueueHeader.CurrentLayoutVersion;
        header->HeaderBytes = QueueHeader.Bytes;
        header->RegionBytes = geometry.RegionBytes;
        header->SlotCount = geometry.SlotCount;
        header->SlotStride = geometry.SlotStride;
        header->MaxMessageBytes = geometry.MaxMessageBytes;
        header->MaxSize = geometry.MaxSize;
        header->SchemaFingerprint = spec.SchemaFingerprint;
        header->ProcessTableCapacity = QueueGeometry.ProcessTableCapacity;
        var typeName = new Span<byte>(header->TypeName, QueueHeader.TypeNameCapacity);
        header->TypeNameBytes = Encoding.UTF8.GetBytes(Truncate(spec.TypeName), typeName);
        QueueProtocol.InitializeSlots((byte*)header, geometry);
        Volatile.Write(ref header->Magic, QueueHeader.ExpectedMagic);
    }

    private static void Validate(string name, string path, QueueHeader* header, long fileBytes, RegionSpec spec)
    {
        string unlinkAdvice = $"Unlink it (SharedQueue.Unlink(\"{name}\") or rm {path}) and open it again.";
        if (header->Magic != QueueHeader.ExpectedMagic)
        {
            throw new QueueCorruptedException($"{path} is not a TypedIpc queue (wrong magic number 0x{header->Magic:X16}). {unlinkAdvice}");
        }

        if (header->LayoutVersion != QueueHeader.CurrentLayoutVersion)
        {
            throw new QueueMismatchException(
                $"queue '{name}' has shared-memory layout version {header->LayoutVersion}, but this TypedIpc uses " +
                $"version {QueueHeader.CurrentLayoutVersion}. Use the same TypedIpc version in every process, or {unlinkAdvice}");
        }

        QueueGeometry stored = new(header->SlotCount, header->SlotStride, header->MaxMessageBytes, header->MaxSize);
        if (header->HeaderBytes != QueueHeader.Bytes
            || header->ProcessTableCapacity != QueueGeometry.ProcessTableCapacity
            || stored.SlotCount <= 0
            || stored.MaxMessageBytes <= 0 || stored.MaxMessageBytes > QueueOptions.MaxMaxMessageBytes
            || stored.SlotStride != QueueGeometry.StrideFor(stored.MaxMessageBytes)
            || header->RegionBytes != stored.RegionBytes
            || header->RegionBytes != fileBytes)
        {
            throw new QueueCorruptedException(
                $"the header of queue '{name}' does not describe its {fileBytes:N0}-byte file (slots {stored.SlotCount}, " +
                $"slot size {stored.SlotStride}, recorded size {header->RegionBytes:N0}); the file was damaged. {unlinkAdvice}");
        }

        string storedType = Encoding.UTF8.GetString(
            new ReadOnlySpan<byte>(header->TypeName, Math.Clamp(header->TypeNameBytes, 0, QueueHeader.TypeNameCapacity)));
        var differences = new List<string>();
        if (header->SchemaFingerprint != spec.SchemaFingerprint)
        {
            string versions = storedType == Truncate(spec.TypeName)
                ? ": the processes were built from different versions of it"
                : "";
            differences.Add(
                $"message type: created for {storedType} (schema 0x{header->SchemaFingerprint:X16}), opened as " +
                $"{spec.TypeName} (schema 0x{spec.SchemaFingerprint:X16}){versions}");
        }

        if (stored.MaxSize != spec.Geometry.MaxSize)
        {
            differences.Add($"maxsize: created with {stored.MaxSize}, opened with {spec.Geometry.MaxSize}");
        }

        if (stored.MaxMessageBytes != spec.Geometry.MaxMessageBytes)
        {
            differences.Add($"MaxMessageBytes: created with {stored.MaxMessageBytes}, opened with {spec.Geometry.MaxMessageBytes}");
        }

        if (stored.SlotCount != spec.Geometry.SlotCount && stored.MaxSize == spec.Geometry.MaxSize)
        {
            differences.Add($"capacity: created with {stored.SlotCount} slots, opened asking for {spec.Geometry.SlotCount} (QueueOptions.CapacityBytes)");
        }

        if (differences.Count > 0)
        {
            throw new QueueMismatchException(
                $"queue '{name}' exists with other settings: {string.Join("; ", differences)}. Open it with the same " +
                $"message type and settings in every process, or {unlinkAdvice}");
        }
    }

    private static string Truncate(string typeName)
    {
        // Keep whole characters within the fixed UTF-8 field.
        while (Encoding.UTF8.GetByteCount(typeName) > QueueHeader.TypeNameCapacity)
        {
            typeName = typeName[..^1];
        }

        return typeName;
    }

    private static string Describe(char c) => char.IsControl(c) || char.IsWhiteSpace(c) ? $"U+{(int)c:X4}" : $"'{c}'";
}
