using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using TypedIpc.Platform;
using TypedIpc.Platform.Linux;

namespace TypedIpc.Internal;

/// <summary>What a process expects of a queue region: its geometry, the identity of its message type, and what it was created as.</summary>
internal readonly record struct RegionSpec(QueueGeometry Geometry, ulong SchemaFingerprint, string TypeName, QueueFlags Flags);

/// <summary>
/// The mapped shared-memory file of one queue, and the open file that holds this instance's liveness locks.
/// Creation is atomic: the region is built and initialized under a private temporary name, then hard-linked to
/// the queue's name, so the name never shows a half-built region, even when the creator is killed; a creator that
/// loses the race attaches to the winner's region.
/// </summary>
internal sealed unsafe class SharedRegion : IDisposable
{
    public const string Directory = "/dev/shm";
    public const string FilePrefix = "typedipc.";
    public const int MaxNameLength = 200;
    private const string CreatingSuffix = ".creating";
    private const int CreationTokenHexDigits = 16;

    /// <summary>The byte a creator keeps locked while it builds a region: past the process table's bytes.</summary>
    private const long CreationLockOffset = QueueGeometry.ProcessTableCapacity;

    private static readonly SearchValues<char> NameCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");

    private readonly MappedMemory _mapping;

    private SharedRegion(SafeFileHandle file, MappedMemory mapping, QueueGeometry geometry, QueueFlags flags)
    {
        File = file;
        _mapping = mapping;
        Geometry = geometry;
        Flags = flags;
    }

    public byte* Base => (byte*)_mapping.DangerousGetHandle();

    /// <summary>The queue file, open for as long as the region is: the liveness locks of this instance's entries live on it.</summary>
    public SafeFileHandle File { get; }

    /// <summary>The geometry read from the region's header at attach (the same as asked for, or the open failed).</summary>
    public QueueGeometry Geometry { get; }

    /// <summary>What the region was created as, read from its header at attach (the same as asked for, or the open failed).</summary>
    public QueueFlags Flags { get; }

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
        // Also when the queue exists: a creator killed after publishing its region leaves its temporary name behind.
        RemoveAbandonedCreations(name);
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

    /// <summary>Unmaps the region and closes the file (which drops every liveness lock this instance holds).</summary>
    public void Dispose()
    {
        _mapping.Dispose();
        File.Dispose();
    }

    /// <summary>
    /// Maps an existing queue's region read-only, to look at it without taking part in it: no process-table entry, no
    /// recovery, and a mapping through which nothing can be written. Null when nothing is at the name.
    /// </summary>
    /// <returns>The region, and the geometry and message type its header records (read once).</returns>
    public static (SharedRegion Region, RegionSpec Recorded)? OpenForReading(string name)
    {
        string path = PathFor(name);
        if (ShmFile.OpenExisting(path, LibC.O_RDONLY, allowForeignOwner: false, $"queue '{name}'") is not { } opened)
        {
            return null;
        }

        SharedRegion region = MapValidated(name, path, opened, LibC.PROT_READ, out QueueHeader header);
        return (region, new RegionSpec(region.Geometry, header.SchemaFingerprint, TypeNameOf(&header), region.Flags));
    }

    private static SharedRegion? TryAttach(string name, string path, RegionSpec spec, QueueOptions options)
    {
        if (ShmFile.OpenExisting(path, LibC.O_RDWR, options.AllowForeignOwner, $"queue '{name}'") is not { } opened)
        {
            return null;
        }

        SharedRegion region = MapValidated(name, path, opened, LibC.PROT_READ | LibC.PROT_WRITE, out QueueHeader header);
        try
        {
            CheckSettings(name, path, &header, region.Geometry, spec);
            return region;
        }
        catch
        {
            region.Dispose();
            throw;
        }
    }

    /// <summary>Maps an opened queue file and checks its layout; <paramref name="header"/> is the one read of its header.</summary>
    private static SharedRegion MapValidated(string name, string path, ShmFile.Opened opened, int protection, out QueueHeader header)
    {
        MappedMemory? mapping = null;
        try
        {
            if (opened.Length < QueueHeader.Bytes)
            {
                throw new QueueCorruptedException(
                    $"{path} has {opened.Length} bytes, fewer than a queue header ({QueueHeader.Bytes}); it is not a TypedIpc " +
                    $"queue or was truncated. Unlink it (SharedQueue.Unlink(\"{name}\") or rm {path}) and open again.");
            }

            mapping = MappedMemory.Map(opened.Handle, opened.Length, path, protection);
            QueueHeader copy = *(QueueHeader*)mapping.DangerousGetHandle();
            QueueGeometry geometry = ValidateLayout(name, path, &copy, opened.Length);
            header = copy;
            return new SharedRegion(opened.Handle, mapping, geometry, (QueueFlags)copy.Flags);
        }
        catch
        {
            mapping?.Dispose();
            opened.Handle.Dispose();
            throw;
        }
    }

    private static SharedRegion? TryCreate(string name, string path, RegionSpec spec, QueueOptions options)
    {
        string temporary = CreationPath(name, Environment.ProcessId);
        SafeFileHandle file = ShmFile.CreateExclusive(temporary, (int)options.FilePermissions, $"queue '{name}'");
        IProcessLiveness liveness = ProcessLiveness.ForCurrentPlatform;
        MappedMemory? mapping = null;
        bool published = false;
        try
        {
            liveness.TryLock(file, CreationLockOffset);
            long length = spec.Geometry.RegionBytes;
            // Reserve every page now: a full /dev/shm fails here with a clear error instead of killing a later
            // writer with SIGBUS.
            int error = LibC.PosixFallocate((int)file.DangerousGetHandle(), 0, length);
            if (error != 0)
            {
                throw new SharedMemoryException(error == LibC.ENOSPC
                    ? $"not enough space in {Directory} to create queue '{name}' ({length:N0} bytes: {spec.Geometry.DataLines * (long)QueueGeometry.LineBytes:N0} " +
                      $"bytes of records and {spec.Geometry.SlotCount} item slots). Free space in {Directory}, or lower maxsize, " +
                      "QueueOptions.MaxMessageBytes or QueueOptions.CapacityBytes."
                    : $"cannot size queue '{name}' to {length:N0} bytes: {LibC.Describe(error)}.");
            }

            mapping = MappedMemory.Map(file, length, temporary, LibC.PROT_READ | LibC.PROT_WRITE);
            Initialize((QueueHeader*)mapping.DangerousGetHandle(), spec);
            if (LibC.Link(temporary, path) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                // EEXIST: another creator won; ENOENT: a sweeper took our temporary name for a dead creator's. Both: start over.
                if (errno is LibC.EEXIST or LibC.ENOENT)
                {
                    return null;
                }

                throw new SharedMemoryException($"cannot publish queue '{name}' at {path}: {LibC.Describe(errno)}.");
            }

            published = true;
            return new SharedRegion(file, mapping, spec.Geometry, spec.Flags);
        }
        finally
        {
            LibC.Unlink(temporary);
            liveness.Unlock(file, CreationLockOffset);
            if (!published)
            {
                mapping?.Dispose();
                file.Dispose();
            }
        }
    }

    /// <summary>
    /// The private name a creator builds the region under: ".typedipc.&lt;name&gt;.&lt;pid&gt;.&lt;16 hex digits&gt;.creating".
    /// Short enough that a 200-character queue name stays within the 255 bytes a file name may have.
    /// </summary>
    internal static string CreationPath(string name, int creatorPid) =>
        $"{Directory}/.{FilePrefix}{name}.{creatorPid}.{Random.Shared.NextInt64():x16}{CreatingSuffix}";

    /// <summary>
    /// Removes temporary files that creators of this queue left behind when they were killed mid-way: those whose
    /// creation lock nobody holds. The pid in the name is only for people reading the directory.
    /// </summary>
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
                && int.TryParse(rest[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out _)
                && IsAbandonedCreation(file))
            {
                LibC.Unlink(file);
            }
        }
    }

    private static bool IsAbandonedCreation(string path)
    {
        try
        {
            if (ShmFile.OpenExisting(path, LibC.O_RDWR, allowForeignOwner: false, "a queue's creation file") is not { } opened)
            {
                return false;
            }

            using (opened.Handle)
            {
                return !ProcessLiveness.ForCurrentPlatform.IsHeld(opened.Handle, CreationLockOffset);
            }
        }
        catch (SharedMemoryException)
        {
            // Not ours to judge (a link, another user's file, something that is not a file): leave it.
            return false;
        }
    }

    private static void Initialize(QueueHeader* header, RegionSpec spec)
    {
        QueueGeometry geometry = spec.Geometry;
        header->LayoutVersion = QueueHeader.CurrentLayoutVersion;
        header->HeaderBytes = QueueHeader.Bytes;
        header->RegionBytes = geometry.RegionBytes;
        header->MaxMessageBytes = geometry.MaxMessageBytes;
        header->MaxSize = geometry.MaxSize;
        header->SchemaFingerprint = spec.SchemaFingerprint;
        header->SlotCount = geometry.SlotCount;
        header->DataLines = geometry.DataLines;
        header->ProcessTableCapacity = QueueGeometry.ProcessTableCapacity;
        var typeName = new Span<byte>(header->TypeName, QueueHeader.TypeNameCapacity);
        header->TypeNameBytes = Encoding.UTF8.GetBytes(Truncate(spec.TypeName), typeName);
        header->Flags = (int)spec.Flags;
        QueueProtocol.Initialize(header, geometry);
        Volatile.Write(ref header->Magic, QueueHeader.ExpectedMagic);
    }

    /// <summary>
    /// Checks that a copy of a region's header describes a region of this layout version that fits its
    /// <paramref name="fileBytes"/>-byte file; returns the geometry it records.
    /// </summary>
    private static QueueGeometry ValidateLayout(string name, string path, QueueHeader* header, long fileBytes)
    {
        if (header->Magic != QueueHeader.ExpectedMagic)
        {
            throw new QueueCorruptedException($"{path} is not a TypedIpc queue (wrong magic number 0x{header->Magic:X16}). {UnlinkAdvice(name, path)}");
        }

        if (header->LayoutVersion != QueueHeader.CurrentLayoutVersion)
        {
            throw new QueueMismatchException(
                $"queue '{name}' has shared-memory layout version {header->LayoutVersion}, but this TypedIpc uses " +
                $"version {QueueHeader.CurrentLayoutVersion}. Use the same TypedIpc version in every process, or {UnlinkAdvice(name, path)}");
        }

        QueueGeometry stored = new(header->SlotCount, header->DataLines, header->MaxMessageBytes, header->MaxSize);
        if (header->HeaderBytes != QueueHeader.Bytes
            || header->ProcessTableCapacity != QueueGeometry.ProcessTableCapacity
            || stored.MaxMessageBytes is <= 0 or > QueueOptions.MaxMaxMessageBytes
            || stored.MaxSize is < 0 or > SharedQueue<int>.MaxMaxSize
            || stored.DataLines <= 0
            || !stored.HoldsLargestRecord
            || stored.SlotCount != QueueGeometry.SlotCountFor(stored.ItemBound)
            || header->RegionBytes != stored.RegionBytes
            || header->RegionBytes != fileBytes
            || (header->Flags & ~(int)QueueFlags.Joinable) != 0)
        {
            throw new QueueCorruptedException(
                $"the header of queue '{name}' does not describe its {fileBytes:N0}-byte file (data lines {stored.DataLines}, " +
                $"item slots {stored.SlotCount}, recorded size {header->RegionBytes:N0}, flags 0x{header->Flags:X}); the file " +
                $"was damaged. {UnlinkAdvice(name, path)}");
        }

        return stored;
    }

    /// <summary>The message type's name a copy of a header records (at most its field's bytes, whatever the header claims).</summary>
    private static string TypeNameOf(QueueHeader* header) =>
        Encoding.UTF8.GetString(header->TypeName, Math.Clamp(header->TypeNameBytes, 0, QueueHeader.TypeNameCapacity));

    private static string UnlinkAdvice(string name, string path) =>
        $"Unlink it (SharedQueue.Unlink(\"{name}\") or rm {path}) and open it again.";

    /// <summary>Checks the settings a copy of a region's header records against what this process expects.</summary>
    private static void CheckSettings(string name, string path, QueueHeader* header, QueueGeometry stored, RegionSpec spec)
    {
        string unlinkAdvice = UnlinkAdvice(name, path);
        string storedType = TypeNameOf(header);
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
        else if (stored.DataLines != spec.Geometry.DataLines && stored.MaxSize == spec.Geometry.MaxSize)
        {
            differences.Add(
                $"capacity: created with {stored.DataLines * (long)QueueGeometry.LineBytes:N0} bytes, opened asking for " +
                $"{spec.Geometry.DataLines * (long)QueueGeometry.LineBytes:N0} (QueueOptions.CapacityBytes)");
        }

        bool joinable = ((QueueFlags)header->Flags).HasFlag(QueueFlags.Joinable);
        if (joinable != spec.Flags.HasFlag(QueueFlags.Joinable))
        {
            differences.Add(
                $"joinable: created {(joinable ? "joinable" : "not joinable")}, opened " +
                $"{(joinable ? "without" : "with")} QueueOptions.Joinable ([IpcQueue(Joinable = true)])");
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

    /// <summary>
    /// A shared mapping that is unmapped exactly once: by Dispose, or by the finalizer of an instance nobody disposed.
    /// </summary>
    private sealed class MappedMemory : SafeHandle
    {
        private readonly long _length;

        private MappedMemory(nint address, long length) : base(0, ownsHandle: true)
        {
            SetHandle(address);
            _length = length;
        }

        public override bool IsInvalid => handle == 0;

        public static MappedMemory Map(SafeFileHandle file, long length, string path, int protection)
        {
            nint address = LibC.Mmap(0, (nuint)length, protection, LibC.MAP_SHARED, (int)file.DangerousGetHandle(), 0);
            if (address == LibC.MAP_FAILED)
            {
                throw new SharedMemoryException($"cannot map {path} ({length:N0} bytes): {LibC.Describe(Marshal.GetLastPInvokeError())}.");
            }

            return new MappedMemory(address, length);
        }

        protected override bool ReleaseHandle() => LibC.Munmap(handle, (nuint)_length) == 0;
    }
}
