using System.Buffers;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using TypedIpc.Blobs;
using TypedIpc.Platform.Linux;

namespace TypedIpc;

/// <summary>
/// Bytes in their own shared-memory file, handed between processes by a small <see cref="BlobRef"/> instead of
/// being copied through a queue. <see cref="Write(ReadOnlySpan{byte})"/> stores the bytes and returns the reference;
/// the receiver's <see cref="BlobRef.Open"/> consumes the blob and returns this mapped view of it, and disposing
/// the view frees the memory.
/// </summary>
/// <remarks>
/// A blob is consumed by its first <see cref="BlobRef.Open"/>, which atomically renames the file so that no other
/// open can take it: of two processes opening the same reference, exactly one gets the data. A blob lives until it
/// is consumed and disposed, or until its writer has exited without anyone opening it; then <see cref="Sweep"/>
/// (which every <see cref="Write(ReadOnlySpan{byte})"/> runs now and then) removes it. So the writer must keep
/// running until the receiver has opened the blob, as with Python's <c>shared_memory</c> and its resource tracker.
/// A consumed blob whose reader died is swept too.
/// </remarks>
public sealed unsafe class SharedBlob : IDisposable
{
    /// <summary>The largest blob: 2 GiB less one byte, what one <see cref="ReadOnlySpan{T}"/> can show.</summary>
    public const long MaxLength = int.MaxValue;

    private const int StreamChunkBytes = 1 << 20;
    private static readonly long SweepIntervalMilliseconds = 1000;
    private static long s_nextSweepAt;

    private readonly string _openedPath;
    private readonly long _mappedBytes;
    private readonly List<UnmanagedMemoryStream> _streams = [];
    private nint _address;

    private SharedBlob(nint address, long mappedBytes, string openedPath, BlobRef reference)
    {
        _address = address;
        _mappedBytes = mappedBytes;
        _openedPath = openedPath;
        Reference = reference;
    }

    /// <summary>The reference this blob was opened from.</summary>
    public BlobRef Reference { get; }

    /// <summary>The number of bytes in the blob.</summary>
    public long Length => Reference.Length;

    /// <summary>The blob's bytes, mapped from shared memory without a copy; valid until this blob is disposed.</summary>
    /// <exception cref="ObjectDisposedException">The blob was disposed.</exception>
    public ReadOnlySpan<byte> Span => new((byte*)Data, (int)Length);

    /// <summary>
    /// Writes <paramref name="data"/> to a new shared blob and returns the reference to put on a queue.
    /// The blob belongs to this process until a receiver opens it: if this process exits first, the blob is swept.
    /// </summary>
    /// <exception cref="SharedMemoryException">/dev/shm is full or refuses the file.</exception>
    public static BlobRef Write(ReadOnlySpan<byte> data)
    {
        using var writing = BlobWriting.Begin();
        writing.Append(data);
        return writing.Publish();
    }

    /// <summary>Writes the rest of <paramref name="data"/> (from its position to its end) to a new shared blob; see <see cref="Write(ReadOnlySpan{byte})"/>.</summary>
    /// <exception cref="ArgumentException">The stream holds more than <see cref="MaxLength"/> bytes.</exception>
    /// <exception cref="SharedMemoryException">/dev/shm is full or refuses the file.</exception>
    public static BlobRef Write(Stream data)
    {
        ArgumentNullException.ThrowIfNull(data);
        using var writing = BlobWriting.Begin();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(StreamChunkBytes);
        try
        {
            for (int read; (read = data.Read(buffer)) > 0;)
            {
                writing.Append(buffer.AsSpan(0, read));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return writing.Publish();
    }

    /// <summary>
    /// Removes the blobs nobody will read: written blobs whose writer has exited before anyone opened them,
    /// blobs whose reader exited without disposing them, and half-written blobs of writers that died.
    /// Blobs of running processes are never touched.
    /// </summary>
    /// <returns>How many blob files were removed.</returns>
    public static int Sweep() =>
        // Liveness files of exited processes go too, but only blobs are counted.
        BlobSurvey.Take().Count(file => file.Abandoned && BlobSurvey.Remove(file) && BlobSurvey.IsBlob(file.Kind));

    /// <summary>
    /// A read-only stream over the blob's bytes, without a copy. Disposing the blob disposes its streams too;
    /// a stream read after that throws <see cref="ObjectDisposedException"/>.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The blob was disposed.</exception>
    public Stream AsStream()
    {
        lock (_streams)
        {
            var stream = new UnmanagedMemoryStream((byte*)Data, Length);
            _streams.Add(stream);
            return stream;
        }
    }

    /// <summary>Unmaps the blob and removes its file: the shared memory is freed.</summary>
    public void Dispose()
    {
        lock (_streams)
        {
            nint address = Interlocked.Exchange(ref _address, 0);
            if (address == 0)
            {
                return;
            }

            _streams.ForEach(stream => stream.Dispose());
            LibC.Munmap(address, (nuint)_mappedBytes);
            LibC.Unlink(_openedPath);
        }
    }

    internal static SharedBlob Open(BlobRef reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (reference.Name is null || !BlobFile.IsValidName(reference.Name) || reference.Length is < 0 or > MaxLength)
        {
            throw new ArgumentException(
                $"{reference} is not a reference SharedBlob.Write returned (a name of 32 hexadecimal digits and a length " +
                $"from 0 to {MaxLength}); pass the BlobRef you received unchanged.",
                nameof(reference));
        }

        ShmFile.Opened file = Claim(reference, out string openedPath);
        using SafeFileHandle handle = file.Handle;
        try
        {
            return Map(reference, handle, file.Length, openedPath);
        }
        catch
        {
            LibC.Unlink(openedPath);
            throw;
        }
    }

    private nint Data
    {
        get
        {
            nint address = Volatile.Read(ref _address);
            ObjectDisposedException.ThrowIf(address == 0, this);
            return address + BlobHeader.Bytes;
        }
    }

    /// <summary>
    /// Opens the blob's file, which must be a regular file of this user, then renames it to this process's "opened"
    /// name: the rename is the one atomic step that consumes it.
    /// </summary>
    private static ShmFile.Opened Claim(BlobRef reference, out string openedPath)
    {
        string path = BlobFile.PathFor(reference.Name);
        openedPath = BlobFile.OpenedPath(reference.Name, BlobOwner.Current);
        if (ShmFile.OpenExisting(path, LibC.O_RDONLY, allowForeignOwner: false, $"blob {reference.Name}") is not { } file)
        {
            throw NotAvailable(reference, path);
        }

        if (LibC.Rename(path, openedPath) == 0)
        {
            return file;
        }

        int errno = Marshal.GetLastPInvokeError();
        file.Handle.Dispose();
        throw errno == LibC.ENOENT
            ? NotAvailable(reference, path)
            : new SharedMemoryException($"cannot open blob {reference.Name} at {path}: {LibC.Describe(errno)}.");
    }

    /// <summary>Why a blob is not at its name: another process consumed it, or it is gone.</summary>
    private static TypedIpcException NotAvailable(BlobRef reference, string path)
    {
        if (BlobFile.FindReader(reference.Name) is { } reader)
        {
            int? readerPid = BlobOwner.ProcessIdOf(reader);
            string consumer = reader == BlobOwner.Current ? $"this process ({Environment.ProcessId})"
                : readerPid is { } pid ? $"process {pid}"
                : "another process";
            return new BlobAlreadyConsumedException(
                $"blob {reference.Name} was already opened by {consumer}; " +
                "a BlobRef is consumed by its first Open. Open each reference once, in the one process that takes its message " +
                "off the queue, and keep the SharedBlob it returns for as long as you need the data.",
                readerPid ?? 0);
        }

        return new BlobNotFoundException(
            $"blob {reference.Name} does not exist ({path}): it was already consumed and disposed (a BlobRef opens once), " +
            "or its writer exited before anyone opened it and it was swept, or it was written on another machine. Keep the " +
            "writing process running until the receiver has opened the blob, and open each reference once.");
    }

    private static SharedBlob Map(BlobRef reference, SafeFileHandle file, long fileBytes, string openedPath)
    {
        if (fileBytes != BlobHeader.Bytes + reference.Length)
        {
            throw Corrupted(reference, $"its file holds {fileBytes:N0} bytes, not a {BlobHeader.Bytes}-byte header and {reference.Length:N0} bytes of data");
        }

        // MAP_POPULATE maps every page now, in one call, instead of taking a page fault per 4 KiB on first read.
        nint address = LibC.Mmap(0, (nuint)fileBytes, LibC.PROT_READ, LibC.MAP_SHARED | LibC.MAP_POPULATE, (int)file.DangerousGetHandle(), 0);
        if (address == LibC.MAP_FAILED)
        {
            throw new SharedMemoryException($"cannot map blob {reference.Name} ({fileBytes:N0} bytes): {LibC.Describe(Marshal.GetLastPInvokeError())}.");
        }

        var blob = new SharedBlob(address, fileBytes, openedPath, reference);
        try
        {
            Verify(reference, (BlobHeader*)address, blob.Span);
            return blob;
        }
        catch
        {
            LibC.Munmap(address, (nuint)fileBytes);
            throw;
        }
    }

    private static void Verify(BlobRef reference, BlobHeader* header, ReadOnlySpan<byte> data)
    {
        if (header->Magic != BlobHeader.ExpectedMagic || header->LayoutVersion != BlobHeader.CurrentLayoutVersion
            || header->HeaderBytes != BlobHeader.Bytes || header->Length != reference.Length)
        {
            throw Corrupted(reference, "its header is not that of a TypedIpc blob of this length and layout version");
        }

        ulong checksum = XxHash3.HashToUInt64(data);
        if (checksum != reference.Checksum || header->Checksum != reference.Checksum)
        {
            throw Corrupted(reference, $"its bytes hash to 0x{checksum:X16}, not to the reference's 0x{reference.Checksum:X16}");
        }
    }

    private static BlobCorruptedException Corrupted(BlobRef reference, string problem) => new(
        $"blob {reference.Name} is damaged: {problem}. It was changed after it was written, or the reference was altered; " +
        "the blob has been removed. Have the writer send the data again.");

    /// <summary>Runs <see cref="Sweep"/> at most once a second per process, so that abandoned blobs go without a caller having to remember.</summary>
    private static void SweepIfDue()
    {
        long now = Environment.TickCount64;
        long due = Volatile.Read(ref s_nextSweepAt);
        if (now >= due && Interlocked.CompareExchange(ref s_nextSweepAt, now + SweepIntervalMilliseconds, due) == due)
        {
            Sweep();
        }
    }

    /// <summary>
    /// A blob being written: created exclusively (O_EXCL, O_NOFOLLOW, 0600) under a hidden name that names its
    /// writer (<see cref="BlobOwner"/>), filled, then published under its final name with a hard link, so the final name never
    /// shows a partial blob. Disposing an unpublished writing removes its file.
    /// </summary>
    private sealed class BlobWriting : IDisposable
    {
        private readonly string _name;
        private readonly string _writingPath;
        private readonly SafeFileHandle _file;
        private readonly XxHash3 _hash = new();
        private long _length;

        private BlobWriting(string name, string writingPath, SafeFileHandle file)
        {
            _name = name;
            _writingPath = writingPath;
            _file = file;
        }

        public static BlobWriting Begin()
        {
            SweepIfDue();
            string name = BlobFile.NewName();
            string writingPath = BlobFile.WritingPath(name, BlobOwner.Current);
            const int OwnerReadWrite = 0b110_000_000;
            return new BlobWriting(name, writingPath, ShmFile.CreateExclusive(writingPath, OwnerReadWrite, $"blob {name}"));
        }

        public void Append(ReadOnlySpan<byte> data)
        {
            if (_length + data.Length > MaxLength)
            {
                throw new ArgumentException(
                    $"the data is longer than a blob's limit of {MaxLength:N0} bytes; write it to a file and send its path.",
                    nameof(data));
            }

            WriteAt(data, BlobHeader.Bytes + _length);
            _hash.Append(data);
            _length += data.Length;
        }

        public BlobRef Publish()
        {
            var header = new BlobHeader
            {
                Magic = BlobHeader.ExpectedMagic,
                LayoutVersion = BlobHeader.CurrentLayoutVersion,
                HeaderBytes = BlobHeader.Bytes,
                Writer = BlobOwner.Current,
                Length = _length,
                Checksum = _hash.GetCurrentHashAsUInt64(),
            };
            WriteAt(MemoryMarshal.AsBytes(new ReadOnlySpan<BlobHeader>(in header)), 0);
            string path = BlobFile.PathFor(_name);
            if (LibC.Link(_writingPath, path) != 0)
            {
                throw new SharedMemoryException($"cannot publish blob {_name} at {path}: {LibC.Describe(Marshal.GetLastPInvokeError())}.");
            }

            return new BlobRef(_name, _length, header.Checksum);
        }

        public void Dispose()
        {
            _file.Dispose();
            LibC.Unlink(_writingPath);
        }

        private void WriteAt(ReadOnlySpan<byte> data, long offset)
        {
            try
            {
                RandomAccess.Write(_file, data, offset);
            }
            catch (IOException e)
            {
                throw new SharedMemoryException(
                    $"cannot write {_length + data.Length:N0} bytes to a blob in {BlobFile.Directory}: {e.Message} " +
                    $"Free space in {BlobFile.Directory}, or send a file path instead of the data.",
                    e);
            }
        }
    }
}
