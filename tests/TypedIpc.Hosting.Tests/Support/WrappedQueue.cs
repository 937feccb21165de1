using System.Diagnostics.CodeAnalysis;

namespace TypedIpc.Hosting.Tests.Support;

/// <summary>
/// A <see cref="SharedQueue{T}"/> as a consumer sees it, with what a real queue does rarely on demand: joinable (counting
/// <see cref="TaskDone"/> calls), and messages at the front that cannot be read.
/// </summary>
public sealed class WrappedQueue<T>(SharedQueue<T> queue) : IIpcQueue<T>, IJoinableQueue
{
    private int _tasksDone;
    private int _unreadable;

    public int TasksDone => Volatile.Read(ref _tasksDone);

    public bool IsJoinable { get; init; }

    /// <summary>How many of the next messages read with <see cref="ReadAllAsync"/> are taken and found unreadable.</summary>
    public int UnreadableMessages
    {
        init => _unreadable = value;
    }

    public string Name => queue.Name;

    public int MaxSize => queue.MaxSize;

    public int Capacity => queue.Capacity;

    public int Count => queue.Count;

    public bool IsEmpty => queue.IsEmpty;

    public bool IsFull => queue.IsFull;

    public bool IsShutDown => queue.IsShutDown;

    public void TaskDone() => Interlocked.Increment(ref _tasksDone);

    public void Join(CancellationToken cancellationToken = default) => throw new NotSupportedException("the consumer never joins");

    public ValueTask JoinAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException("the consumer never joins");

    public void Put(T item, bool block = true, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        queue.Put(item, block, timeout, cancellationToken);

    public T Get(bool block = true, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        queue.Get(block, timeout, cancellationToken);

    public void PutMany(ReadOnlySpan<T> items, bool block = true, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        queue.PutMany(items, block, timeout, cancellationToken);

    public int GetMany(Span<T> destination, bool block = true, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        queue.GetMany(destination, block, timeout, cancellationToken);

    public void PutNowait(T item) => queue.PutNowait(item);

    public T GetNowait() => queue.GetNowait();

    public bool TryPut(T item) => queue.TryPut(item);

    public bool TryGet([MaybeNullWhen(false)] out T item) => queue.TryGet(out item);

    public ValueTask PutAsync(T item, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        queue.PutAsync(item, timeout, cancellationToken);

    public ValueTask<T> GetAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        queue.GetAsync(timeout, cancellationToken);

    public IAsyncEnumerable<T> ReadAllAsync(CancellationToken cancellationToken = default) =>
        Interlocked.Decrement(ref _unreadable) >= 0
            // Takes the front message and throws as a get that could not deserialize it does (it stays removed).
            ? queue.ReadAllAsync(cancellationToken).Take(1).Select(Unreadable)
            : queue.ReadAllAsync(cancellationToken);

    public void Shutdown(bool immediate = false) => queue.Shutdown(immediate);

    public void Dispose() => queue.Dispose();

    private T Unreadable(T message) =>
        throw new MessageCorruptedException($"a message in queue '{Name}' does not deserialize (made unreadable by the test)");
}
