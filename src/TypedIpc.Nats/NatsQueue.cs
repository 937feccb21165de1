using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using MemoryPack;
using NATS.Client.Core;
using NATS.Client.JetStream;
using TypedIpc.Diagnostics;
using TypedIpc.Internal;
using TypedIpc.Nats.Internal;

namespace TypedIpc.Nats;

/// <summary>
/// A named, bounded FIFO of <typeparamref name="T"/> on a NATS JetStream server, shared by any number of processes
/// on any number of machines, with the semantics of Python's <c>multiprocessing.Queue</c> and the same
/// <see cref="IIpcQueue{T}"/> contract as the shared-memory <see cref="SharedQueue{T}"/>. One work-queue stream per
/// queue holds the messages; every getter takes them from one durable pull consumer and acknowledges each after it
/// deserialized, so delivery is at least once: a message taken by a process that dies comes back after
/// <see cref="NatsQueueOptions.AckWait"/>. All members are thread-safe. Mapping and guarantees: docs/nats.md.
/// </summary>
/// <typeparam name="T">A type MemoryPack can serialize (a <c>[MemoryPackable]</c> type, a primitive, a string, ...).</typeparam>
public sealed class NatsQueue<T> : IIpcQueue<T>, IAsyncDisposable, IObservedQueue
{
    private static readonly ulong s_fingerprint = SchemaFingerprint.Of(typeof(T));

    /// <summary>How long a put waits at most between two tries on a full queue (the server does not announce room).</summary>
    private static readonly TimeSpan MaxFullRetryDelay = TimeSpan.FromMilliseconds(20);

    /// <summary>How long the server has at least to answer one request, however little of the call's timeout is left.</summary>
    private static readonly TimeSpan MinimumRequestTimeout = TimeSpan.FromSeconds(1);

    /// <summary>How long a call waits between two looks at a server it cannot reach.</summary>
    private static readonly TimeSpan UnreachableRetryDelay = TimeSpan.FromMilliseconds(50);

    /// <summary>How long a get of a shut-down queue whose stream still holds a message pauses before it looks again.</summary>
    private static readonly TimeSpan DrainRecheckDelay = TimeSpan.FromMilliseconds(20);

    private readonly QueueStream _stream;
    private readonly NatsQueueOptions _options;
    private readonly string _messageIdPrefix = Guid.NewGuid().ToString("N") + "-";
    private readonly CancellationTokenSource _lifetime = new();

    /// <summary>Cancelled when this process learns that the queue is shut down, or when it is disposed: wakes every wait.</summary>
    private readonly CancellationTokenSource _wake;
    private readonly Task _shutdownWatch;
    private readonly KeyValuePair<string, object?> _metricsTag;
    private long _messageCount;
    private volatile bool _shutDown;
    private int _disposed;

    private NatsQueue(QueueStream stream, int maxsize, NatsQueueOptions options, INatsSub<byte[]> shutdownEvents)
    {
        _stream = stream;
        _options = options;
        MaxSize = maxsize;
        Capacity = maxsize > 0 ? maxsize : (int)Math.Min(int.MaxValue, options.CapacityBytes / options.MaxMessageBytes);
        _wake = CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token);
        _shutdownWatch = WatchShutdownAsync(shutdownEvents);
        _metricsTag = QueueMetrics.NameTag(Name);
        QueueMetrics.Opened(this);
    }

    /// <summary>The queue's name, as passed to <see cref="OpenAsync"/>.</summary>
    public string Name => _stream.Names.Queue;

    /// <summary>The JetStream stream that holds the queue's messages (<c>typedipc-</c> + the name with '.' as '~').</summary>
    public string StreamName => _stream.Names.Stream;

    /// <summary>The item bound given at creation (Python's <c>maxsize</c>); 0 means bounded only by <see cref="NatsQueueOptions.CapacityBytes"/>.</summary>
    public int MaxSize { get; }

    /// <summary>How many items fit: <see cref="MaxSize"/>, or for an "unbounded" queue its byte capacity in messages of the largest size.</summary>
    public int Capacity { get; }

    /// <summary>
    /// The approximate number of items in the queue (Python's <c>qsize()</c>), asked from the server: it counts
    /// messages taken by a getter that has not acknowledged them yet.
    /// </summary>
    /// <exception cref="QueueUnavailableException">The server did not answer within <see cref="NatsQueueOptions.RequestTimeout"/>.</exception>
    public int Count => (int)Math.Min(int.MaxValue, Wait(ReadStateAsync()).Messages);

    /// <summary>True when the queue holds no item (Python's <c>empty()</c>); as approximate as <see cref="Count"/>.</summary>
    public bool IsEmpty => Count == 0;

    /// <summary>True when a put would wait (Python's <c>full()</c>); as approximate as <see cref="Count"/>.</summary>
    public bool IsFull => Count >= Capacity;

    /// <summary>True once any process has called <see cref="Shutdown"/> on the queue (the state lives on the server).</summary>
    public bool IsShutDown => _shutDown || Wait(ReadStateAsync()).State != QueueState.Open;

    /// <summary>
    /// Opens the queue named <paramref name="name"/> on the server <paramref name="client"/> talks to, creating its
    /// stream and consumer if they do not exist. Every process that opens the same name shares the same queue; all of
    /// them must agree on <typeparamref name="T"/>, <paramref name="maxsize"/> and the stream-shaping <paramref name="options"/>.
    /// The queue does not own <paramref name="client"/>: dispose the client after the queue.
    /// </summary>
    /// <param name="client">A connection to a JetStream-enabled NATS server or cluster (for example <c>new NatsClient(url)</c>).</param>
    /// <param name="name">1 to 200 characters of A–Z, a–z, 0–9, '.', '_', '-', not starting with '.' or '-'.</param>
    /// <param name="maxsize">The most items the queue holds (Python's <c>maxsize</c>); 0 = bounded only by <see cref="NatsQueueOptions.CapacityBytes"/>.</param>
    /// <param name="options">Per-message limit, capacity, AckWait, storage, replicas; null for <see cref="NatsQueueOptions.Default"/>.</param>
    /// <param name="cancellationToken">Cancels the opening.</param>
    /// <exception cref="QueueMismatchException">The queue exists with another message type, maxsize or limit, or a stream of that name is not a TypedIpc queue.</exception>
    /// <exception cref="QueueUnavailableException">The server could not be reached, or has no JetStream.</exception>
    public static async ValueTask<NatsQueue<T>> OpenAsync(
        INatsClient client, string name, int maxsize = 0, NatsQueueOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var names = new QueueNames(name);
        options ??= NatsQueueOptions.Default;
        Validate(maxsize, options);
        var stream = new QueueStream(client, names);
        var wanted = new QueueDescription(s_fingerprint, SchemaFingerprint.NameOf(typeof(T)), maxsize, options.MaxMessageBytes,
            maxsize > 0 ? 0 : options.CapacityBytes, QueueState.Open);
        INatsSub<byte[]>? shutdownEvents = null;
        try
        {
            await client.ConnectAsync().ConfigureAwait(false);
            long serverLimit = client.Connection.ServerInfo?.MaxPayload ?? long.MaxValue;
            if (options.MaxMessageBytes + QueueStream.PutHeaderBytes > serverLimit)
            {
                throw new ArgumentOutOfRangeException(nameof(options), options.MaxMessageBytes,
                    $"NatsQueueOptions.MaxMessageBytes and the {QueueStream.PutHeaderBytes}-byte header of a put are more than the " +
                    $"server's max_payload ({serverLimit:N0} bytes); lower it, or raise max_payload in the server's configuration.");
            }

            // Subscribed before the state is read, so that a shutdown between the two is not missed.
            shutdownEvents = await client.Connection.SubscribeCoreAsync(names.EventSubject, serializer: NatsRawSerializer<byte[]>.Default,
                cancellationToken: cancellationToken).ConfigureAwait(false);
            QueueDescription existing = await stream.CreateOrCheckAsync(wanted, options, cancellationToken).ConfigureAwait(false);
            await stream.StartAsync(cancellationToken).ConfigureAwait(false);
            var queue = new NatsQueue<T>(stream, maxsize, options, shutdownEvents);
            if (existing.State != QueueState.Open)
            {
                queue.MarkShutDown();
            }

            return queue;
        }
        catch (Exception e) when (IsUnreachable(e) && !cancellationToken.IsCancellationRequested)
        {
            await DisposeQuietlyAsync(shutdownEvents).ConfigureAwait(false);
            await stream.StopAsync().ConfigureAwait(false);
            throw new QueueUnavailableException(
                $"cannot open queue '{name}': the NATS server did not answer ({e.Message}). Check that it runs with JetStream " +
                "enabled (nats-server -js) and that the client's URL points to it.", e);
        }
        catch
        {
            await DisposeQuietlyAsync(shutdownEvents).ConfigureAwait(false);
            await stream.StopAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Deletes the queue's stream with every message in it (like <see cref="SharedQueue{T}.Unlink"/>); the next
    /// <see cref="OpenAsync"/> of the name creates a new, empty queue. Returns false when there was no such queue.
    /// </summary>
    public static async ValueTask<bool> DeleteAsync(INatsClient client, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        return await new QueueStream(client, new QueueNames(name)).DeleteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Put(T item, bool block = true, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Wait(PutWithinAsync(item, new CallLimit(block, timeout), cancellationToken, itemsBefore: 0));

    /// <inheritdoc />
    public T Get(bool block = true, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Wait(GetWithinAsync(new CallLimit(block, timeout), cancellationToken));

    /// <summary>
    /// Puts <paramref name="item"/> at the end of the queue without holding a thread while it waits for room,
    /// forever or at most <paramref name="timeout"/>. Once the server acknowledged the put, the item is stored.
    /// </summary>
    /// <exception cref="QueueFullException">No room before the timeout.</exception>
    /// <exception cref="QueueShutDownException">The queue was shut down.</exception>
    /// <exception cref="MessageTooLargeException">The item serializes to more than <see cref="NatsQueueOptions.MaxMessageBytes"/>.</exception>
    /// <exception cref="QueueUnavailableException">
    /// The server could not be reached within the timeout. Its message says whether the item may still be stored: a
    /// request that got no answer can reach the server once it is back.
    /// </exception>
    /// <exception cref="OperationCanceledException">
    /// <paramref name="cancellationToken"/> was canceled; nothing was put, unless a request sent to an unreachable server
    /// still reaches it once it is back.
    /// </exception>
    public ValueTask PutAsync(T item, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        PutWithinAsync(item, new CallLimit(block: true, timeout), cancellationToken, itemsBefore: 0);

    /// <summary>
    /// Removes and returns the item at the front of the queue without holding a thread while it waits, forever or at
    /// most <paramref name="timeout"/>.
    /// </summary>
    /// <exception cref="QueueEmptyException">No item before the timeout.</exception>
    /// <exception cref="QueueShutDownException">The queue was shut down and is drained.</exception>
    /// <exception cref="MessageCorruptedException">The front item could not be read; it is removed and the next get works.</exception>
    /// <exception cref="QueueUnavailableException">The server could not be reached within the timeout.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled; nothing was taken.</exception>
    public ValueTask<T> GetAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        GetWithinAsync(new CallLimit(block: true, timeout), cancellationToken);

    /// <summary>Yields items as they come until the queue is shut down and drained, then completes.</summary>
    public async IAsyncEnumerable<T> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            T item;
            try
            {
                item = await GetWithinAsync(new CallLimit(block: true, timeout: null), cancellationToken).ConfigureAwait(false);
            }
            catch (QueueShutDownException)
            {
                yield break;
            }

            yield return item;
        }
    }

    /// <summary>
    /// Shuts the queue down for every process (Python 3.13's <c>shutdown</c>): puts throw <see cref="QueueShutDownException"/>,
    /// gets return what is left and then throw it, and every waiting call wakes. <paramref name="immediate"/> also
    /// discards what is left. The state lives in the stream until <see cref="DeleteAsync"/>.
    /// </summary>
    /// <exception cref="QueueUnavailableException">The server could not be reached within <see cref="NatsQueueOptions.RequestTimeout"/>.</exception>
    public void Shutdown(bool immediate = false)
    {
        EnsureNotDisposed();
        using var timeout = new CancellationTokenSource(_options.RequestTimeout);
        try
        {
            Wait(_stream.ShutDownAsync(immediate, timeout.Token));
        }
        catch (Exception e) when (IsUnreachable(e) || (e is OperationCanceledException && timeout.IsCancellationRequested))
        {
            throw Unavailable("shut down", e);
        }

        MarkShutDown();
    }

    /// <inheritdoc />
    public void PutMany(ReadOnlySpan<T> items, bool block = true, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var limit = new CallLimit(block, timeout);
        for (int i = 0; i < items.Length; i++)
        {
            try
            {
                Wait(PutWithinAsync(items[i], limit, cancellationToken, itemsBefore: i));
            }
            catch (Exception e) when (i > 0 && e is OperationCanceledException or QueueShutDownException)
            {
                // IIpcQueue's contract, as on shared memory: the items before went in, and the exception says how many.
                e.Data[QueueProtocol.ItemsPutKey] = i;
                throw;
            }
        }
    }

    /// <inheritdoc />
    public int GetMany(Span<T> destination, bool block = true, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        if (destination.IsEmpty)
        {
            throw new ArgumentException("GetMany needs room for at least one item in the destination span.", nameof(destination));
        }

        destination[0] = Get(block, timeout, cancellationToken);
        int count = 1;
        try
        {
            while (count < destination.Length && TryGet(out T? item))
            {
                destination[count++] = item;
            }
        }
        catch (MessageCorruptedException e)
        {
            throw new MessageCorruptedException(e.Message, e.InnerException, itemsDelivered: count);
        }

        return count;
    }

    /// <inheritdoc />
    public void PutNowait(T item) => Put(item, block: false);

    /// <inheritdoc />
    public T GetNowait() => Get(block: false);

    /// <inheritdoc />
    public bool TryPut(T item)
    {
        try
        {
            PutNowait(item);
            return true;
        }
        catch (QueueFullException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public bool TryGet([MaybeNullWhen(false)] out T item)
    {
        try
        {
            item = GetNowait();
            return true;
        }
        catch (QueueEmptyException)
        {
            item = default;
            return false;
        }
    }

    /// <summary>
    /// Stops this process's use of the queue: waiting calls end with <see cref="ObjectDisposedException"/>. The queue
    /// lives on, on the server, for the other processes; see <see cref="DeleteAsync"/>. The client is not disposed.
    /// When it ends a waiting get, it returns once that get's pull request has expired on the server (at most 1 s),
    /// handing back a message the server still sends it, so that the message goes to another getter at once.
    /// </summary>
    public void Dispose() => Wait(DisposeAsync());

    /// <inheritdoc cref="Dispose" />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        QueueMetrics.Closed(this);

        await _lifetime.CancelAsync().ConfigureAwait(false);
        await _shutdownWatch.ConfigureAwait(false);
        await _stream.StopAsync().ConfigureAwait(false);
        _wake.Dispose();
        _lifetime.Dispose();
    }

    private async ValueTask PutWithinAsync(T item, CallLimit limit, CancellationToken cancellationToken, int itemsBefore)
    {
        Deadline deadline = limit.Deadline;
        byte[] payload = Serialize(item);
        string messageId = _messageIdPrefix + Interlocked.Increment(ref _messageCount).ToString(CultureInfo.InvariantCulture);
        TimeSpan fullDelay = TimeSpan.FromMilliseconds(1);
        Exception? unreachable = null;
        // A request that got no answer may have been buffered by the client and reach the server once it is back.
        bool sentUnanswered = false;
        while (true)
        {
            EnsureNotDisposed();
            cancellationToken.ThrowIfCancellationRequested();
            if (_shutDown)
            {
                throw ShutDownForPut();
            }

            if (_stream.IsConnected)
            {
                PutOutcome outcome;
                try
                {
                    // Not cancellable once sent: the server may store it, and a cancelled put must have put nothing.
                    outcome = await _stream.PublishAsync(payload, messageId, RequestTimeoutWithin(limit)).ConfigureAwait(false);
                }
                catch (Exception e) when (IsUnreachable(e))
                {
                    outcome = PutOutcome.NoStream;
                    unreachable = e;
                    sentUnanswered = true;
                }

                switch (outcome)
                {
                    case PutOutcome.Stored:
                        QueueMetrics.CountPuts(1, _metricsTag);
                        return;
                    case PutOutcome.Full:
                        unreachable = null;
                        if (deadline.HasPassed)
                        {
                            if (limit.Block)
                            {
                                QueueMetrics.TimedOut(get: false, _metricsTag);
                            }

                            throw new QueueFullException(itemsBefore > 0
                                ? $"queue '{Name}' stayed full ({Capacity} items): {itemsBefore} items of the batch went in."
                                : limit.Block
                                    ? $"queue '{Name}' stayed full ({Capacity} items) for the whole timeout of {limit.TimeoutMilliseconds} ms."
                                    : $"queue '{Name}' is full ({Capacity} items) and the put was not allowed to wait (block: false).",
                                itemsBefore);
                        }

                        await SleepAsync(deadline.RemainingAtMost(fullDelay), cancellationToken).ConfigureAwait(false);
                        fullDelay = fullDelay * 2 < MaxFullRetryDelay ? fullDelay * 2 : MaxFullRetryDelay;
                        continue;
                    case PutOutcome.NoStream when unreachable is null:
                        // Nobody listens on the queue's subject: it was shut down (the stream moved), deleted, or JetStream is starting.
                        if (await IsShutDownOnServerAsync().ConfigureAwait(false))
                        {
                            throw ShutDownForPut();
                        }

                        unreachable = new NatsNoRespondersException();
                        break;
                }
            }

            unreachable ??= new NatsException("not connected to the server");
            if (deadline.HasPassed)
            {
                throw sentUnanswered
                    ? Unavailable("put an item on", unreachable,
                        "Its request may still reach the server when it is back, so the item may yet be stored and a retry may put it " +
                        "twice; nothing the server acknowledged is lost.")
                    : Unavailable("put an item on", unreachable, "Nothing was put; the call can be retried once the server is back.");
            }

            await SleepAsync(deadline.RemainingAtMost(UnreachableRetryDelay), cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<T> GetWithinAsync(CallLimit limit, CancellationToken cancellationToken)
    {
        Deadline deadline = limit.Deadline;
        Exception? unreachable = null;
        while (true)
        {
            EnsureNotDisposed();
            cancellationToken.ThrowIfCancellationRequested();
            if (_stream.IsConnected)
            {
                // A shut-down queue never grows: drain it without waiting.
                bool shutDown = _shutDown;
                NatsMsg<byte[]>? message;
                try
                {
                    message = await PullAsync(shutDown ? TimeSpan.Zero : deadline.RemainingAtMost(QueueStream.PullWindow),
                        RequestTimeoutWithin(limit), cancellationToken).ConfigureAwait(false);
                    unreachable = null;
                }
                catch (Exception e) when (IsUnreachable(e))
                {
                    message = null;
                    unreachable = e;
                }

                if (message is { } taken)
                {
                    T item = await ReadAsync(taken).ConfigureAwait(false);
                    QueueMetrics.CountGets(1, _metricsTag);
                    return item;
                }

                if (unreachable is null && !shutDown && await IsShutDownOnServerAsync().ConfigureAwait(false))
                {
                    continue;
                }

                if (unreachable is null && shutDown && !await StillHoldsMessagesAsync().ConfigureAwait(false))
                {
                    throw new QueueShutDownException($"queue '{Name}' was shut down and is drained: no item will come.");
                }

                if (unreachable is null && deadline.HasPassed)
                {
                    if (limit.Block)
                    {
                        QueueMetrics.TimedOut(get: true, _metricsTag);
                    }

                    throw new QueueEmptyException(limit.Block
                        ? $"queue '{Name}' stayed empty for the whole timeout of {limit.TimeoutMilliseconds} ms."
                        : $"queue '{Name}' is empty and the get was not allowed to wait (block: false).");
                }

                if (unreachable is null)
                {
                    if (shutDown)
                    {
                        // SleepAsync would return at once (the shutdown cancelled the wake that ends its waits): only the
                        // held message's return is awaited here, so look again after a short pause.
                        await Task.Delay(deadline.RemainingAtMost(DrainRecheckDelay), cancellationToken).ConfigureAwait(false);
                    }

                    continue;
                }
            }

            unreachable ??= new NatsException("not connected to the server");
            if (deadline.HasPassed)
            {
                throw Unavailable("get an item from", unreachable);
            }

            await SleepAsync(deadline.RemainingAtMost(UnreachableRetryDelay), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One pull that cancellation, a shutdown or Dispose can interrupt; null when no message came.</summary>
    private async ValueTask<NatsMsg<byte[]>?> PullAsync(TimeSpan wait, TimeSpan requestTimeout, CancellationToken cancellationToken)
    {
        using CancellationTokenSource? linked = cancellationToken.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _wake.Token)
            : null;
        try
        {
            return await _stream.PullAsync(wait, requestTimeout, wait > TimeSpan.Zero ? linked?.Token ?? _wake.Token : cancellationToken)
                .ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Woken by a shutdown or by Dispose: the caller's loop looks at both.
            EnsureNotDisposed();
            return null;
        }
    }

    private async ValueTask<T> ReadAsync(NatsMsg<byte[]> message)
    {
        T item;
        try
        {
            item = MemoryPackSerializer.Deserialize<T>(message.Data)!;
        }
        catch (Exception e)
        {
            await _stream.TerminateAsync(message).ConfigureAwait(false);
            throw new MessageCorruptedException(
                $"a message in queue '{Name}' does not deserialize as {typeof(T).FullName} ({e.Message}); it was removed " +
                "and the next get reads the next message. Check that every process puts the same message type.", e);
        }

        await _stream.AckAsync(message).ConfigureAwait(false);
        return item;
    }

    private async ValueTask<(QueueState State, long Messages)> ReadStateAsync()
    {
        EnsureNotDisposed();
        using var timeout = new CancellationTokenSource(_options.RequestTimeout);
        try
        {
            (QueueDescription? description, long messages) = await _stream.ReadAsync(timeout.Token).ConfigureAwait(false);
            QueueState state = description?.State ?? QueueState.Open;
            if (state != QueueState.Open)
            {
                MarkShutDown();
            }

            return (state, messages);
        }
        catch (Exception e) when (IsUnreachable(e) || (e is OperationCanceledException && timeout.IsCancellationRequested))
        {
            throw Unavailable("read the state of", e);
        }
        catch (Exception e) when (QueueStream.IsMissingStream(e))
        {
            throw new QueueUnavailableException(
                $"queue '{Name}' no longer exists on the server: its stream '{StreamName}' was deleted (NatsQueue<T>.DeleteAsync, " +
                "or by hand) with everything it held. Open the queue again with OpenAsync to create it anew.", e);
        }
    }

    /// <summary>
    /// Whether the stream still holds a message that no pull returned: one handed back by a getter whose waiting pull a
    /// shutdown interrupted (the server had already sent it the message), one being read, or one held by a getter that
    /// died. A shut-down queue is drained only when its stream is empty; an unreadable answer is not "empty".
    /// </summary>
    private async ValueTask<bool> StillHoldsMessagesAsync()
    {
        try
        {
            return (await ReadStateAsync().ConfigureAwait(false)).Messages > 0;
        }
        catch (QueueUnavailableException e) when (!QueueStream.IsMissingStream(e.InnerException!))
        {
            return true;
        }
    }

    private async ValueTask<bool> IsShutDownOnServerAsync()
    {
        if (_shutDown)
        {
            return true;
        }

        try
        {
            return (await ReadStateAsync().ConfigureAwait(false)).State != QueueState.Open;
        }
        catch (QueueUnavailableException e) when (!QueueStream.IsMissingStream(e.InnerException!))
        {
            return false;
        }
    }

    private async Task WatchShutdownAsync(INatsSub<byte[]> events)
    {
        try
        {
            await foreach (NatsMsg<byte[]> _ in events.Msgs.ReadAllAsync(_lifetime.Token).ConfigureAwait(false))
            {
                MarkShutDown();
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
        finally
        {
            await DisposeQuietlyAsync(events).ConfigureAwait(false);
        }
    }

    private void MarkShutDown()
    {
        if (_shutDown)
        {
            return;
        }

        _shutDown = true;
        try
        {
            _wake.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Disposed meanwhile: nobody waits any more.
        }
    }

    private async ValueTask SleepAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        using CancellationTokenSource? linked = cancellationToken.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _wake.Token)
            : null;
        try
        {
            await Task.Delay(delay, linked?.Token ?? _wake.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Woken by a shutdown or by Dispose: the caller's loop looks at both.
        }
    }

    private byte[] Serialize(T item)
    {
        byte[] payload = MemoryPackSerializer.Serialize(item);
        if (payload.Length > _options.MaxMessageBytes)
        {
            QueueMetrics.Reject(_metricsTag);
            throw new MessageTooLargeException(
                $"a {typeof(T).Name} serialized to {payload.Length:N0} bytes, more than queue '{Name}' takes per message " +
                $"({_options.MaxMessageBytes:N0} bytes, NatsQueueOptions.MaxMessageBytes). Put a reference to the data (a file path " +
                "or an object-store key) on the queue instead of the data, or create the queue with a larger MaxMessageBytes. " +
                "Nothing was sent.",
                payload.Length, _options.MaxMessageBytes);
        }

        return payload;
    }

    /// <summary>
    /// One request may take the configured request timeout. A call that may wait keeps it within its own deadline,
    /// though a last try just before it still gets <see cref="MinimumRequestTimeout"/> to be answered; a call that
    /// may not wait (nowait) waits for no item, but a busy server still gets the whole request timeout to answer.
    /// </summary>
    private TimeSpan RequestTimeoutWithin(CallLimit limit)
    {
        if (!limit.Block)
        {
            return _options.RequestTimeout;
        }

        TimeSpan remaining = limit.Deadline.RemainingAtMost(_options.RequestTimeout);
        return remaining > MinimumRequestTimeout || _options.RequestTimeout < MinimumRequestTimeout ? remaining : MinimumRequestTimeout;
    }

    private QueueShutDownException ShutDownForPut() =>
        new($"queue '{Name}' was shut down: it takes no more items.");

    /// <summary>The exception of a call that gave up on the server; <paramref name="consequence"/> says what the call left behind.</summary>
    private QueueUnavailableException Unavailable(
        string action, Exception cause, string consequence = "Nothing the server acknowledged is lost; the call can be retried once the server is back.") =>
        new($"could not {action} queue '{Name}': the NATS server did not answer in time ({cause.Message}). {consequence}", cause);

    private void EnsureNotDisposed()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            throw new ObjectDisposedException(GetType().Name, $"queue '{Name}' was disposed in this process; open it again to use it.");
        }
    }

    /// <summary>The server did not answer (a refusal by JetStream's API is an answer, and is not caught as this).</summary>
    private static bool IsUnreachable(Exception e) => e is TimeoutException || (e is NatsException && e is not NatsJSApiException);

    private static void Validate(int maxsize, NatsQueueOptions options)
    {
        if (maxsize < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxsize), maxsize,
                "maxsize counts items: use 0 for a queue bounded only by NatsQueueOptions.CapacityBytes, or a positive number.");
        }

        if (options.MaxMessageBytes is < 1 or > QueueOptions.MaxMaxMessageBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxMessageBytes,
                $"NatsQueueOptions.MaxMessageBytes must be 1 to {QueueOptions.MaxMaxMessageBytes:N0} (and at most the server's max_payload).");
        }

        if (maxsize == 0 && options.CapacityBytes < options.MaxMessageBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.CapacityBytes,
                "NatsQueueOptions.CapacityBytes must hold at least one message of MaxMessageBytes.");
        }

        if (options.AckWait <= TimeSpan.Zero || options.RequestTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "NatsQueueOptions.AckWait and RequestTimeout must be positive.");
        }

        if (options.Replicas is < 1 or > 5)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Replicas, "NatsQueueOptions.Replicas must be 1 to 5.");
        }
    }

    private static async ValueTask DisposeQuietlyAsync(INatsSub<byte[]>? subscription)
    {
        if (subscription is null)
        {
            return;
        }

        try
        {
            await subscription.DisposeAsync().ConfigureAwait(false);
        }
        catch (NatsException)
        {
            // Unsubscribing needs the server; a subscription of a lost connection is gone anyway.
        }
    }

    private static void Wait(ValueTask task) => task.AsTask().GetAwaiter().GetResult();

    private static TResult Wait<TResult>(ValueTask<TResult> task) => task.AsTask().GetAwaiter().GetResult();
}
