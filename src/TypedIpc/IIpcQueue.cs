using System.Diagnostics.CodeAnalysis;

namespace TypedIpc;

/// <summary>
/// A typed queue between processes with the semantics of Python's <c>multiprocessing.Queue</c>: the one contract
/// that <see cref="SharedQueue{T}"/>, every queue the <c>[IpcQueue]</c> generator writes, and the other backends
/// implement. Take it as a dependency to run the same code on any backend, or to fake a queue in a test.
/// </summary>
/// <typeparam name="T">The message type.</typeparam>
public interface IIpcQueue<T> : IDisposable
{
    /// <summary>The queue's name.</summary>
    string Name { get; }

    /// <summary>The item bound given at creation (Python's <c>maxsize</c>); 0 means bounded only by the backend's capacity.</summary>
    int MaxSize { get; }

    /// <summary>How many items fit: <see cref="MaxSize"/>, or for an "unbounded" queue what the backend's capacity holds.</summary>
    int Capacity { get; }

    /// <summary>The approximate number of items in the queue (Python's <c>qsize()</c>).</summary>
    int Count { get; }

    /// <summary>True when the queue holds no item (Python's <c>empty()</c>); as approximate as <see cref="Count"/>.</summary>
    bool IsEmpty { get; }

    /// <summary>True when the queue holds <see cref="Capacity"/> items, so a put would wait (Python's <c>full()</c>); as approximate as <see cref="Count"/>.</summary>
    bool IsFull { get; }

    /// <summary>
    /// Puts <paramref name="item"/> at the end of the queue. With <paramref name="block"/> true (the default) it waits
    /// for room, forever or at most <paramref name="timeout"/>; with <paramref name="block"/> false it does not wait
    /// and ignores the timeout.
    /// </summary>
    /// <exception cref="QueueFullException">No room before the timeout, or at once when not blocking.</exception>
    /// <exception cref="MessageTooLargeException">The item serializes to more than the queue's per-message limit.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled; nothing was put.</exception>
    /// <exception cref="QueueShutDownException">The queue was shut down (<see cref="Shutdown"/>), before or during the wait.</exception>
    void Put(T item, bool block = true, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes and returns the item at the front of the queue. With <paramref name="block"/> true (the default) it waits
    /// for an item, forever or at most <paramref name="timeout"/>; with <paramref name="block"/> false it does not wait.
    /// </summary>
    /// <exception cref="QueueEmptyException">No item before the timeout, or at once when not blocking.</exception>
    /// <exception cref="MessageCorruptedException">The front item could not be read; it is removed and the next get works.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled; nothing was taken.</exception>
    /// <exception cref="QueueShutDownException">The queue was shut down and holds no more items (after an immediate shutdown: at once).</exception>
    T Get(bool block = true, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Puts every item of <paramref name="items"/>, in order, waiting for room as <see cref="Put"/> does. When the
    /// wait ends first, <see cref="QueueFullException"/> says how many of them went in (a prefix of <paramref name="items"/>).
    /// </summary>
    /// <exception cref="QueueFullException">Not all items fit before the timeout (or at once when not blocking).</exception>
    /// <exception cref="MessageTooLargeException">An item serializes to more than the per-message limit; the items before it went in.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled; the items before went in, and the exception's <c>Data["TypedIpc.ItemsPut"]</c> says how many.</exception>
    /// <exception cref="QueueShutDownException">The queue was shut down; the items before went in, and <c>Data["TypedIpc.ItemsPut"]</c> says how many when any did.</exception>
    void PutMany(ReadOnlySpan<T> items, bool block = true, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Waits for the first item as <see cref="Get"/> does, then takes whatever else is ready, up to
    /// <paramref name="destination"/>'s length. Returns how many items it wrote to the front of <paramref name="destination"/>.
    /// </summary>
    /// <exception cref="QueueEmptyException">No item before the timeout, or at once when not blocking.</exception>
    /// <exception cref="MessageCorruptedException">A taken item could not be read; the others are in <paramref name="destination"/> (see <see cref="MessageCorruptedException.ItemsDelivered"/>).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled; nothing was taken.</exception>
    /// <exception cref="QueueShutDownException">The queue was shut down and holds no more items.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is empty.</exception>
    int GetMany(Span<T> destination, bool block = true, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>Puts without waiting (Python's <c>put_nowait</c>).</summary>
    /// <exception cref="QueueFullException">The queue is full.</exception>
    void PutNowait(T item);

    /// <summary>Gets without waiting (Python's <c>get_nowait</c>).</summary>
    /// <exception cref="QueueEmptyException">The queue is empty.</exception>
    T GetNowait();

    /// <summary>Puts without waiting; false when the queue is full.</summary>
    bool TryPut(T item);

    /// <summary>Gets without waiting; false when the queue is empty.</summary>
    bool TryGet([MaybeNullWhen(false)] out T item);

    /// <summary>Puts <paramref name="item"/>, waiting asynchronously for room as <see cref="Put"/> waits; no thread waits per call.</summary>
    /// <exception cref="QueueFullException">No room before the timeout; nothing was put.</exception>
    /// <exception cref="MessageTooLargeException">The item serializes to more than the queue's per-message limit.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled; nothing was put.</exception>
    /// <exception cref="QueueShutDownException">The queue was shut down, before or during the wait.</exception>
    ValueTask PutAsync(T item, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>Removes and returns the front item, waiting asynchronously as <see cref="Get"/> waits; no thread waits per call.</summary>
    /// <exception cref="QueueEmptyException">No item before the timeout; nothing was taken.</exception>
    /// <exception cref="MessageCorruptedException">The front item could not be read; it is removed and the next get works.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled; nothing was taken.</exception>
    /// <exception cref="QueueShutDownException">The queue was shut down and holds no more items.</exception>
    ValueTask<T> GetAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>Yields the queue's items as they come, until the queue is shut down and drained; then completes.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled; the item being awaited was not taken.</exception>
    IAsyncEnumerable<T> ReadAllAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Shuts the queue down for every user (Python 3.13's <c>shutdown</c>): puts throw <see cref="QueueShutDownException"/>;
    /// gets return what is left, then throw it (with <paramref name="immediate"/>, what is left is discarded); blocked
    /// and awaiting calls wake with it.
    /// </summary>
    void Shutdown(bool immediate = false);

    /// <summary>True once the queue was shut down, by any user.</summary>
    bool IsShutDown { get; }
}
