using System.Buffers;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using MemoryPack;
using TypedIpc.Diagnostics;
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
public sealed partial class SharedQueue<T> : IIpcQueue<T>, IJoinableQueue, IObservedQueue
{
    /// <summary>The largest <c>maxsize</c> a queue accepts: 16,777,216 items.</summary>
    public const int MaxMaxSize = 1 << 24;

    private static readonly ulong s_fingerprint = SchemaFingerprint.Of(typeof(T));

    private readonly SharedRegion _region;
    private readonly QueueProtocol _protocol;
    private readonly int _maxMessageBytes;
    private readonly KeyValuePair<string, object?> _metricsTag;
    private readonly MessageCodec<T> _codec = MessageCodec<T>.Instance;
    private int _disposed;

    private SharedQueue(string name, int maxsize, SharedRegion region, QueueProtocol protocol)
    {
        Name = name;
        MaxSize = maxsize;
        _region = region;
        _protocol = protocol;
        _maxMessageBytes = region.Geometry.MaxMessageBytes;
        _metricsTag = QueueMetrics.NameTag(name);
        QueueMetrics.Opened(this);
    }

    /// <summary>The queue's name, as passed to <see cref="Open"/>.</summary>
    public string Name { get; }

    /// <summary>The item bound given at creation (Python's <c>maxsize</c>); 0 means bounded only by the byte capacity.</summary>
    public int MaxSize { get; }

    /// <summary>How many items fit: <see cref="MaxSize"/>, or for an "unbounded" queue one per 64 bytes of <see cref="BytesCapacity"/>.</summary>
    public int Capacity => _protocol.ItemBound;

    /// <summary>The approximate number of items in the queue (Python's <c>qsize()</c>): other processes may change it at any moment.</summary>
    public int Count => Read(static protocol => protocol.Count);

    /// <summary>True when the queue holds no item (Python's <c>empty()</c>); as approximate as <see cref="Count"/>.</summary>
    public bool IsEmpty => Count == 0;

    /// <summary>True when the queue holds <see cref="Capacity"/> items (Python's <c>full()</c>); as approximate as <see cref="Count"/>.</summary>
    public bool IsFull => Count >= Capacity;

    /// <summary>The bytes of shared memory the queue's records may take (see <see cref="QueueOptions.CapacityBytes"/>).</summary>
    public long BytesCapacity => _protocol.BytesCapacity;

    /// <summary>The bytes the records in the queue take now, each rounded up to 64 bytes; as approximate as <see cref="Count"/>.</summary>
    public long BytesUsed => Read(static protocol => protocol.BytesUsed);

    /// <summary>
    /// True once the queue was shut down (<see cref="Shutdown"/>) in any process; it stays shut down until <see cref="Unlink"/>.
    /// </summary>
    public bool IsShutDown => Read(static protocol => protocol.IsShutDown);

    /// <summary>
    /// Opens the queue named <paramref name="name"/>, creating it if it does not exist. Every process that opens
    /// the same name shares the same queue; all of them must agree on <typeparamref name="T"/>,
    /// <paramref name="maxsize"/> and the region-shaping <paramref name="options"/>.
    /// </summary>
    /// <param name="name">1 to 200 characters of A–Z, a–z, 0–9, '.', '_', '-', not starting with '.' or '-'.</param>
    /// <param name="maxsize">The most items the queue holds (Python's <c>maxsize</c>); 0 = bounded only by <see cref="QueueOptions.CapacityBytes"/>.</param>
    /// <param name="options">Per-message limit, capacity, spinning, permissions; null for <see cref="QueueOptions.Default"/>.</param>
    /// <exception cref="QueueMismatchException">The queue exists with another message type, maxsize, joinability or layout.</exception>
    /// <exception cref="QueueCorruptedException">The file at the queue's path is not a valid queue.</exception>
    /// <exception cref="SharedMemoryException">The operating system refused (no space, no permission, a symlink or other non-file at the path).</exception>
    public static SharedQueue<T> Open(string name, int maxsize = 0, QueueOptions? options = null)
    {
        SharedRegion.ValidateName(name);
        options ??= QueueOptions.Default;
        QueueGeometry geometry = GeometryFor(maxsize, options);
        var spec = new RegionSpec(
            geometry, s_fingerprint, SchemaFingerprint.NameOf(typeof(T)), options.Joinable ? QueueFlags.Joinable : QueueFlags.None);
        SharedRegion region = SharedRegion.OpenOrCreate(name, spec, options);
        try
        {
            var protocol = new QueueProtocol(
                region, ProcessSharedWaiter.ForCurrentPlatform, ProcessLiveness.ForCurrentPlatform, options.SpinDuration)
            {
                Name = name,
            };
            // Attach the opening thread now, so that a full process table fails here rather than at the first call.
            EntryLease first = protocol.Enter();
            if (region.Flags.HasFlag(QueueFlags.Joinable))
            {
                protocol.AttachLedger(first);
            }

            QueueProtocol.Exit(first);
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
    /// <exception cref="QueueShutDownException">The queue was shut down (<see cref="Shutdown"/>), before or during the wait.</exception>
    public void Put(T item, bool block = true, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        if (PutWithin(new ReadOnlySpan<T>(in item), WaitLimit.From(block, timeout), cancellationToken) == 0)
        {
            throw Full(block, timeout, put: 0, of: 1);
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
    /// <exception cref="QueueShutDownException">The queue was shut down and holds no more items (after an immediate shutdown: at once).</exception>
    public T Get(bool block = true, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        T item = default!;
        if (GetWithin(new Span<T>(ref item), WaitLimit.From(block, timeout), cancellationToken) == 0)
        {
            throw Empty(block, timeout);
        }

        return item;
    }

    /// <inheritdoc />
    public void PutMany(ReadOnlySpan<T> items, bool block = true, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        int put = PutWithin(items, WaitLimit.From(block, timeout), cancellationToken);
        if (put < items.Length)
        {
            throw Full(block, timeout, put, items.Length);
        }
    }

    /// <inheritdoc />
    public int GetMany(Span<T> destination, bool block = true, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        if (destination.IsEmpty)
        {
            throw new ArgumentException("GetMany needs room for at least one item in the destination span.", nameof(destination));
        }

        int taken = GetWithin(destination, WaitLimit.From(block, timeout), cancellationToken);
        return taken > 0 ? taken : throw Empty(block, timeout);
    }

    /// <summary>Puts without waiting (Python's <c>put_nowait</c>, <c>Put(item, block: false)</c>).</summary>
    /// <exception cref="QueueFullException">The queue is full.</exception>
    public void PutNowait(T item) => Put(item, block: false);

    /// <summary>Gets without waiting (Python's <c>get_nowait</c>, <c>Get(block: false)</c>).</summary>
    /// <exception cref="QueueEmptyException">The queue is empty.</exception>
    public T GetNowait() => Get(block: false);

    /// <summary>Puts without waiting; false when the queue is full.</summary>
    /// <exception cref="QueueShutDownException">The queue was shut down: no put will ever succeed.</exception>
    public bool TryPut(T item) => PutWithin(new ReadOnlySpan<T>(in item), WaitLimit.NoWait, CancellationToken.None) == 1;

    /// <summary>Gets without waiting; false when the queue is empty.</summary>
    /// <exception cref="QueueShutDownException">The queue was shut down and holds no more items: no get will ever succeed.</exception>
    public bool TryGet([MaybeNullWhen(false)] out T item)
    {
        item = default!;
        return GetWithin(new Span<T>(ref item), WaitLimit.NoWait, CancellationToken.None) == 1;
    }

    /// <summary>
    /// Shuts the queue down for every process that uses it (Python 3.13's <c>Queue.shutdown</c>): afterwards every put
    /// throws <see cref="QueueShutDownException"/>; gets return the items left, then throw it. With
    /// <paramref name="immediate"/> true the items left are discarded and gets throw at once. Calls blocked in any
    /// process wake with the exception. The state lives in the queue and lasts until <see cref="Unlink"/>: a process
    /// that opens the queue later finds it shut down. Calling it again is harmless (immediate may follow a plain shutdown).
    /// </summary>
    public void Shutdown(bool immediate = false)
    {
        EntryLease lease = _protocol.Enter();
        try
        {
            _protocol.ShutDown(lease, immediate);
        }
        finally
        {
            QueueProtocol.Exit(lease);
        }
    }

    /// <summary>
    /// Releases this process's mapping of the queue. Calls blocked or awaiting on this instance in other threads end with
    /// <see cref="ObjectDisposedException"/>. The queue itself lives on for other processes; see <see cref="Unlink"/>.
    /// An instance that is never disposed is released when the garbage collector finalizes it.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        QueueMetrics.Closed(this);
        StopWatchers();
        _protocol.Close();
        JoinWatchers();
        _region.Dispose();
    }

    /// <summary>Reads a value of the shared region inside a call, so that a concurrent Dispose waits for it to end.</summary>
    private TValue Read<TValue>(Func<QueueProtocol, TValue> read)
    {
        EntryLease lease = _protocol.Enter();
        try
        {
            return read(_protocol);
        }
        finally
        {
            QueueProtocol.Exit(lease);
        }
    }

    private int PutWithin(ReadOnlySpan<T> items, WaitLimit limit, CancellationToken cancellationToken)
    {
        int put = QueueMetrics.WaitDuration.Enabled && limit.MayWait
            ? PutTimingTheWait(items, limit, cancellationToken)
            : PutOnce(items, limit, cancellationToken);
        QueueMetrics.CountPuts(put, _metricsTag);
        return put;
    }

    /// <summary>With the wait histogram listened to: "had to wait" is known only once a try that may not wait falls short.</summary>
    private int PutTimingTheWait(ReadOnlySpan<T> items, WaitLimit limit, CancellationToken cancellationToken)
    {
        int put = PutOnce(items, WaitLimit.NoWait, cancellationToken);
        if (put == items.Length)
        {
            return put;
        }

        long waitingSince = Stopwatch.GetTimestamp();
        try
        {
            return put + PutOnce(items[put..], limit, cancellationToken);
        }
        catch (Exception e) when (put > 0 && e is OperationCanceledException or QueueShutDownException)
        {
            e.Data[QueueProtocol.ItemsPutKey] = put + (e.Data[QueueProtocol.ItemsPutKey] as int? ?? 0);
            throw;
        }
        finally
        {
            QueueMetrics.Waited(waitingSince, get: false, _metricsTag);
        }
    }

    private int PutOnce(ReadOnlySpan<T> items, WaitLimit limit, CancellationToken cancellationToken)
    {
        var source = new ItemsSource(items, this);
        EntryLease lease = _protocol.Enter();
        try
        {
            return _protocol.Put(lease, ref source, items.Length, limit, cancellationToken);
        }
        finally
        {
            QueueProtocol.Exit(lease);
        }
    }

    private int GetWithin(Span<T> destination, WaitLimit limit, CancellationToken cancellationToken)
    {
        int taken = QueueMetrics.WaitDuration.Enabled && limit.MayWait
            ? GetTimingTheWait(destination, limit, cancellationToken)
            : GetOnce(destination, limit, cancellationToken);
        QueueMetrics.CountGets(taken, _metricsTag);
        return taken;
    }

    private int GetTimingTheWait(Span<T> destination, WaitLimit limit, CancellationToken cancellationToken)
    {
        int taken = GetOnce(destination, WaitLimit.NoWait, cancellationToken);
        if (taken > 0)
        {
            return taken;
        }

        long waitingSince = Stopwatch.GetTimestamp();
        try
        {
            return GetOnce(destination, limit, cancellationToken);
        }
        finally
        {
            QueueMetrics.Waited(waitingSince, get: true, _metricsTag);
        }
    }

    private int GetOnce(Span<T> destination, WaitLimit limit, CancellationToken cancellationToken)
    {
        EntryLease lease = _protocol.Enter();
        var sink = new ItemsSink(destination, this, lease.Writer.CodecState);
        try
        {
            return _protocol.Take(lease, ref sink, destination.Length, limit, cancellationToken);
        }
        finally
        {
            QueueProtocol.Exit(lease);
        }
    }

    private QueueFullException Full(bool block, TimeSpan? timeout, int put, int of)
    {
        if (block)
        {
            QueueMetrics.TimedOut(get: false, _metricsTag);
        }

        string what = of == 1 ? "" : $" {put} of the {of} items went in.";
        return new QueueFullException(
            block
                ? $"queue '{Name}' stayed full ({Capacity} items, {BytesCapacity:N0} bytes) for the whole timeout of {timeout!.Value.TotalMilliseconds:0.###} ms.{what}"
                : $"queue '{Name}' is full ({Capacity} items, {BytesCapacity:N0} bytes) and the put was not allowed to wait (block: false).{what}",
            put);
    }

    private QueueEmptyException Empty(bool block, TimeSpan? timeout)
    {
        if (!block)
        {
            return new QueueEmptyException($"queue '{Name}' is empty and the get was not allowed to wait (block: false).");
        }

        QueueMetrics.TimedOut(get: true, _metricsTag);
        return new QueueEmptyException($"queue '{Name}' stayed empty for the whole timeout of {timeout!.Value.TotalMilliseconds:0.###} ms.");
    }

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

        QueueGeometry geometry = QueueGeometry.For(maxsize, options.MaxMessageBytes, options.CapacityBytes, QueueOptions.DefaultCapacityBytes);
        if (!geometry.HoldsLargestRecord)
        {
            long least = 2L * geometry.MaxRecordLines * QueueGeometry.LineBytes;
            long most = (long)QueueGeometry.MaxDataLines * QueueGeometry.LineBytes;
            throw new ArgumentOutOfRangeException(nameof(options), options.CapacityBytes,
                $"QueueOptions.CapacityBytes must be {least:N0} to {most:N0} bytes: at least two messages of MaxMessageBytes " +
                $"({options.MaxMessageBytes:N0}, rounded up to 64), so that the largest message always fits.");
        }

        return geometry;
    }

    /// <summary>
    /// For a value type the JIT compiles this queue for T alone and reads the static codec as a constant (and inlines it);
    /// the code shared by reference types would look the generic static up at every message, so it reads the field.
    /// </summary>
    private MessageCodec<T> Codec => typeof(T).IsValueType ? MessageCodec<T>.Instance : _codec;

    /// <summary>The items of a put, serialized by MemoryPack wherever the protocol places them.</summary>
    private readonly ref struct ItemsSource(ReadOnlySpan<T> items, SharedQueue<T> queue) : IRecordSource
    {
        private readonly ReadOnlySpan<T> _items = items;

        public int RawSize => MessageCodec<T>.RawSize;

        public unsafe void WriteRaw(int index, byte* destination) => Unsafe.WriteUnaligned(destination, _items[index]);

        public void Write(int index, RecordWriter writer) => queue.Codec.Write(writer, in _items[index]);

        public void Write(int index, ArrayBufferWriter<byte> buffer) => MemoryPackSerializer.Serialize(buffer, _items[index]);

        public Exception TooLarge(int index, int bytes)
        {
            QueueMetrics.Reject(queue._metricsTag);
            return new MessageTooLargeException(
                $"a {typeof(T).Name} serialized to {bytes:N0} bytes, more than queue '{queue.Name}' takes per message " +
                $"({queue._maxMessageBytes:N0} bytes, QueueOptions.MaxMessageBytes). Put a reference to the data (a file path) " +
                "on the queue instead of the data, or create the queue with a larger MaxMessageBytes. The queue is unchanged.",
                bytes, queue._maxMessageBytes);
        }
    }

    /// <summary>Where a get's items go, deserialized by MemoryPack straight out of shared memory.</summary>
    private readonly ref struct ItemsSink(Span<T> destination, SharedQueue<T> queue, CodecState codecState) : IRecordSink
    {
        private readonly Span<T> _destination = destination;

        public int RawSize => MessageCodec<T>.RawSize;

        public unsafe void ReadRaw(int index, byte* record) => _destination[index] = Unsafe.ReadUnaligned<T>(record);

        public void Read(int index, ReadOnlySpan<byte> payload) => _destination[index] = queue.Codec.Read(payload, codecState);

        public MessageCorruptedException Corrupted(string? damage, Exception? cause, int delivered)
        {
            string what = damage is not null
                ? $"{damage}; it was removed. Another process wrote into the queue's memory: find it, or Unlink and recreate the queue."
                : $"a message in queue '{queue.Name}' does not deserialize as {typeof(T).FullName} ({cause!.Message}); it was " +
                  "removed and the next get reads the next message. Check that every process puts the same message type.";
            string delivery = delivered > 0 ? $" The {delivered} readable items taken with it are at the front of the destination." : "";
            return new MessageCorruptedException(what + delivery, cause, delivered);
        }
    }
}
