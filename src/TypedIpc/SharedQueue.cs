using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using MemoryPack;
using TypedIpc.Internal;
using TypedIpc.Platform;

namespace TypedIpc;

/// <summary>
/// A named, bounded, multi-producer/multi-consumer FIFO of <typeparamref name="T"/> in shared memory, usable from
/// any number of processes at once, with the semantics of Python's <c>multiprocessing.Queue</c>: <c>maxsize</c>
/// counts items, <see cref="Put"/> and <see cref="Get"/> block by default, a timeout ends in
/// <see cref="QueueFullException"/> / <see cref="QueueEmptyException"/>, and <c>block: false</c> throws at once.
/// Messages are serialized with MemoryPack. All members are thread-safe.
/// </summary>
/// <typeparam name="T">A type MemoryPack can serialize (a <c>[MemoryPackable]</c> type, a primitive, a string, ...).</typeparam>
public sealed class SharedQueue<T> : IIpcQueue<T>
{
    /// <summary>The largest <c>maxsize</c> a queue accepts: 16,777,216 items.</summary>
    public const int MaxMaxSize = 1 << 24;

    private static readonly ulong s_fingerprint = SchemaFingerprint.Of(typeof(T));

    private readonly SharedRegion _region;
    private readonly QueueProtocol _protocol;
    private readonly int _maxMessageBytes;
    private int _activeCalls;
    private int _disposed;

    private SharedQueue(string name, int maxsize, SharedRegion region, QueueProtocol protocol)
    {
        Name = name;
        MaxSize = maxsize;
        _region = region;
        _protocol = protocol;
        _maxMessageBytes = region.Geometry.MaxMessageBytes;
    }

    /// <summary>The queue's name, as passed to <see cref="Open"/>.</summary>
    public string Name { get; }

    /// <summary>The item bound given at creation (Python's <c>maxsize</c>); 0 means bounded only by the byte capacity.</summary>
    public int MaxSize { get; }

    /// <summary>How many items fit: <see cref="MaxSize"/>, or for an "unbounded" queue what <see cref="QueueOptions.CapacityBytes"/> holds.</summary>
    public int Capacity => _protocol.SlotCount;

    /// <summary>The approximate number of items in the queue (Python's <c>qsize()</c>): other processes may change it at any moment.</summary>
    public int Count
    {
        get
        {
            EnterCall();
            try
            {
                return _protocol.Count;
            }
            finally
            {
                ExitCall();
            }
        }
    }

    /// <summary>True when the queue holds no item (Python's <c>empty()</c>); as approximate as <see cref="Count"/>.</summary>
    public bool IsEmpty => Count == 0;

    /// <summary>True when a put would block (Python's <c>full()</c>); as approximate as <see cref="Count"/>.</summary>
    public bool IsFull => Count >= Capacity;

    /// <summary>
    /// Opens the queue named <paramref name="name"/>, creating it if it does not exist. Every process that opens
    /// the same name shares the same queue; all of them must agree on <typeparamref name="T"/>,
    /// <paramref name="maxsize"/> and the region-shaping <paramref name="options"/>.
    /// </summary>
    /// <param name="name">1 to 200 characters of A–Z, a–z, 0–9, '.', '_', '-', not starting with '.' or '-'.</param>
    /// <param name="maxsize">The most items the queue holds (Python's <c>maxsize</c>); 0 = bounded only by <see cref="QueueOptions.CapacityBytes"/>.</param>
    /// <param name="options">Per-message limit, capacity, spinning, permissions; null for <see cref="QueueOptions.Default"/>.</param>
    /// <exception cref="QueueMismatchException">The queue exists with another message type, maxsize or layout.</exception>
    /// <exception cref="QueueCorruptedException">The file at the queue's path is not a valid queue.</exception>
    /// <exception cref="SharedMemoryException">The operating system refused (no space, no permission, a symlink at the path).</exception>
    public static SharedQueue<T> Open(string name, int maxsize = 0, QueueOptions? options = null)
    {
        SharedRegion.ValidateName(name);
        options ??= QueueOptions.Default;
        QueueGeometry geometry = GeometryFor(maxsize, options);
        var spec = new RegionSpec(geometry, s_fingerprint, SchemaFingerprint.NameOf(typeof(T)));
        SharedRegion region = SharedRegion.OpenOrCreate(name, spec, options);
        try
        {
            var protocol = new QueueProtocol(region, ProcessSharedWaiter.ForCurrentPlatform, options.SpinDuration);
            protocol.Register();
            return new SharedQueue<T>(name, maxsize, region, protocol);
        }
        catch
        {
            region.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Removes the queue's name (like Python's <c>SharedMemory.unlink</c>). Processes that have it open keep
    /// working on it; the next <see cref="Open"/> of the name creates a new, empty queue.
    /// </summary>
    /// <exception cref="QueueNotFoundException">No queue has that name.</exception>
    public static void Unlink(string name) => SharedRegion.Unlink(name);

    /// <summary>
    /// Puts <paramref name="item"/> at the end of the queue. With <paramref name="block"/> true (the default) it waits
    /// for room, forever or at most <paramref name="timeout"/>; with <paramref name="block"/> false it does not wait
    /// and ignores the timeout.
    /// </summary>
    /// <exception cref="QueueFullException">No room before the timeout, or at once when not blocking.</exception>
    /// <exception cref="MessageTooLargeException">The item serializes to more than <see cref="QueueOptions.MaxMessageBytes"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative (other than <see cref="Timeout.InfiniteTimeSpan"/>).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled; nothing was put.</exception>
    public void Put(T item, bool block = true, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        if (!TryPutWithin(item, WaitLimit.From(block, timeout), cancellationToken))
        {
            throw new QueueFullException(block
                ? $"queue '{Name}' stayed full ({Capacity} items) for the whole timeout of {timeout!.Value.TotalMilliseconds:0.###} ms."
                : $"queue '{Name}' is full ({Capacity} items) and the put was not allowed to wait (block: false).");
        }
    }

    /// <summary>
    /// Removes and returns the item at the front of the queue. With <paramref name="block"/> true (the default) it waits
    /// for an item, forever or at most <paramref name="timeout"/>; with <paramref name="block"/> false it does not wait.
    /// </summary>
    /// <exception cref="QueueEmptyException">No item before the timeout, or at once when not blocking.</exception>
    /// <exception cref="MessageCorruptedException">The front item could not be read; it is removed and the next get works.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative (other than <see cref="Timeout.InfiniteTimeSpan"/>).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled; nothing was taken.</exception>
    public T Get(bool block = true, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        if (!TryGetWithin(WaitLimit.From(block, timeout), cancellationToken, out T? item))
        {
            throw new QueueEmptyException(block
                ? $"queue '{Name}' stayed empty for the whole timeout of {timeout!.Value.TotalMilliseconds:0.###} ms."
                : $"queue '{Name}' is empty and the get was not allowed to wait (block: false).");
        }

        return item;
    }

    /// <summary>Puts without waiting (Python's <c>put_nowait</c>, <c>Put(item, block: false)</c>).</summary>
    /// <exception cref="QueueFullException">The queue is full.</exception>
    public void PutNowait(T item) => Put(item, block: false);

    /// <summary>Gets without waiting (Python's <c>get_nowait</c>, <c>Get(block: false)</c>).</summary>
    /// <exception cref="QueueEmptyException">The queue is empty.</exception>
    public T GetNowait() => Get(block: false);

    /// <summary>Puts without waiting; false when the queue is full.</summary>
    public bool TryPut(T item) => TryPutWithin(item, WaitLimit.NoWait, CancellationToken.None);

    /// <summary>Gets without waiting; false when the queue is empty.</summary>
    public bool TryGet([MaybeNullWhen(false)] out T item) => TryGetWithin(WaitLimit.NoWait, CancellationToken.None, out item);

    /// <inheritdoc />
    public void PutMany(ReadOnlySpan<T> items, bool block = true, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        WaitLimit limit = WaitLimit.From(block, timeout);
        for (int i = 0; i < items.Length; i++)
        {
            if (!TryPutWithin(items[i], limit, cancellationToken))
            {
                throw new QueueFullException(
                    $"queue '{Name}' stayed full ({Capacity} items): {i} of the {items.Length} items went in.", i);
            }
        }
    }

    /// <inheritdoc />
    public int GetMany(Span<T> destination, bool block = true, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        if (destination.IsEmpty)
        {
            return 0;
        }

        destination[0] = Get(block, timeout, cancellationToken);
        int count = 1;
        while (count < destination.Length && TryGet(out T? item))
        {
            destination[count++] = item;
        }

        return count;
    }

    /// <summary>
    /// Releases this process's mapping of the queue. Calls blocked on this instance in other threads end with
    /// <see cref="ObjectDisposedException"/>. The queue itself lives on for other processes; see <see cref="Unlink"/>.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _protocol.BeginClose();
        SpinWait.SpinUntil(() => Volatile.Read(ref _activeCalls) == 0);
        _protocol.Unregister();
        _region.Dispose();
    }

    private bool TryPutWithin(T item, WaitLimit limit, CancellationToken cancellationToken)
    {
        EnterCall();
        try
        {
            return _protocol.Write(Serialize(item), limit, cancellationToken);
        }
        finally
        {
            ExitCall();
        }
    }

    private bool TryGetWithin(WaitLimit limit, CancellationToken cancellationToken, [MaybeNullWhen(false)] out T item)
    {
        EnterCall();
        try
        {
            if (!_protocol.BeginRead(limit, cancellationToken, out QueueProtocol.ReadClaim claim))
            {
                item = default;
                return false;
            }

            try
            {
                item = MemoryPackSerializer.Deserialize<T>(_protocol.PayloadOf(claim))!;
                return true;
            }
            catch (Exception e) when (e is not TypedIpcException)
            {
                throw new MessageCorruptedException(
                    $"a message in queue '{Name}' does not deserialize as {typeof(T).FullName} ({e.Message}); it was " +
                    "removed and the next get reads the next message. Check that every process puts the same message type.",
                    e);
            }
            finally
            {
                _protocol.EndRead(claim);
            }
        }
        finally
        {
            ExitCall();
        }
    }

    private ReadOnlySpan<byte> Serialize(T item)
    {
        ArrayBufferWriter<byte> buffer = SerializationBuffer.Rent();
        MemoryPackSerializer.Serialize(buffer, item);
        if (buffer.WrittenCount > _maxMessageBytes)
        {
            int size = buffer.WrittenCount;
            SerializationBuffer.ReleaseIfLarge();
            throw new MessageTooLargeException(
                $"a {typeof(T).Name} serialized to {size:N0} bytes, more than queue '{Name}' takes per message " +
                $"({_maxMessageBytes:N0} bytes, QueueOptions.MaxMessageBytes). Put a reference to the data (a file path) " +
                "on the queue instead of the data, or create the queue with a larger MaxMessageBytes. The queue is unchanged.",
                size, _maxMessageBytes);
        }

        return buffer.WrittenSpan;
    }

    private void EnterCall()
    {
        Interlocked.Increment(ref _activeCalls);
        if (Volatile.Read(ref _disposed) != 0)
        {
            Interlocked.Decrement(ref _activeCalls);
            throw new ObjectDisposedException(GetType().Name, $"queue '{Name}' was disposed in this process; open it again to use it.");
        }
    }

    private void ExitCall() => Interlocked.Decrement(ref _activeCalls);

    private static QueueGeometry GeometryFor(int maxsize, QueueOptions options)
    {
        if (maxsize is < 0 or > MaxMaxSize)
        {
            throw new ArgumentOutOfRangeException(nameof(maxsize), maxsize,
                $"maxsize counts items: use 0 for a queue bounded only by QueueOptions.CapacityBytes, or 1 to {MaxMaxSize:N0}.");
        }

        if (options.MaxMessageBytes is < 1 or > QueueOptions.MaxMaxMessageBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxMessageBytes,
                $"QueueOptions.MaxMessageBytes must be 1 to {QueueOptions.MaxMaxMessageBytes:N0}; put bigger data in a file " +
                "and send its path.");
        }

        if (options.SpinDuration < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.SpinDuration,
                "QueueOptions.SpinDuration must be zero or positive.");
        }

        int stride = QueueGeometry.StrideFor(options.MaxMessageBytes);
        long slots = maxsize > 0 ? maxsize : options.CapacityBytes / stride;
        if (slots is < 1 or > MaxMaxSize)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.CapacityBytes,
                $"QueueOptions.CapacityBytes must hold 1 to {MaxMaxSize:N0} slots of {stride} bytes " +
                $"(MaxMessageBytes {options.MaxMessageBytes} + 16, rounded up to 64): use {stride:N0} to {(long)stride * MaxMaxSize:N0}.");
        }

        return new QueueGeometry((int)slots, stride, options.MaxMessageBytes, maxsize);
    }
}
