using System.Diagnostics;
using System.Runtime.CompilerServices;
using TypedIpc.Diagnostics;
using TypedIpc.Internal;

namespace TypedIpc;

// The awaitable calls: each tries once at once, and only when it has to wait joins the pending calls of its side,
// which one thread per side and instance (a QueueWatcher) serves, sleeping on the queue's futex word meanwhile.
public sealed partial class SharedQueue<T>
{
    private QueueWatcher? _getWatcher;
    private QueueWatcher? _putWatcher;
    private QueueWatcher? _joinWatcher;

    /// <summary>
    /// Puts <paramref name="item"/> at the end of the queue, waiting asynchronously for room: forever, or at most
    /// <paramref name="timeout"/>. No thread waits per call.
    /// </summary>
    /// <exception cref="QueueFullException">No room before the timeout; nothing was put.</exception>
    /// <exception cref="MessageTooLargeException">The item serializes to more than <see cref="QueueOptions.MaxMessageBytes"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative (other than <see cref="Timeout.InfiniteTimeSpan"/>).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled; nothing was put.</exception>
    /// <exception cref="QueueShutDownException">The queue was shut down (<see cref="Shutdown"/>), before or during the wait.</exception>
    /// <remarks>
    /// When the call has to wait and a change in the queue ends it alone (no other awaited put of this instance waits), its
    /// continuation may run on the instance's waiting thread, as with Channels' AllowSynchronousContinuations; code that
    /// keeps that thread longer than 50 ms while other calls wait is given a replacement (see README, How it works).
    /// </remarks>
    public ValueTask PutAsync(T item, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        WaitLimit limit = WaitLimit.From(block: true, timeout);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        try
        {
            if (TryPut(item))
            {
                return ValueTask.CompletedTask;
            }
        }
        catch (Exception e)
        {
            return ValueTask.FromException(e);
        }

        var call = new PutCall(this, item, timeout);
        Wait(call, WatchedWord.Space, limit, cancellationToken);
        return call.CompletionWithoutResult;
    }

    /// <summary>
    /// Removes and returns the item at the front of the queue, waiting asynchronously for one: forever, or at most
    /// <paramref name="timeout"/>. No thread waits per call.
    /// </summary>
    /// <exception cref="QueueEmptyException">No item before the timeout; nothing was taken.</exception>
    /// <exception cref="MessageCorruptedException">The front item could not be read; it is removed and the next get works.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is negative (other than <see cref="Timeout.InfiniteTimeSpan"/>).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled; nothing was taken.</exception>
    /// <exception cref="QueueShutDownException">The queue was shut down and holds no more items (after an immediate shutdown: at once).</exception>
    /// <remarks>
    /// When the call has to wait and a change in the queue ends it alone (no other awaited get of this instance waits), its
    /// continuation may run on the instance's waiting thread, as with Channels' AllowSynchronousContinuations; code that
    /// keeps that thread longer than 50 ms while other calls wait is given a replacement (see README, How it works).
    /// </remarks>
    public ValueTask<T> GetAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        WaitLimit limit = WaitLimit.From(block: true, timeout);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<T>(cancellationToken);
        }

        try
        {
            if (TryGet(out T? item))
            {
                return new ValueTask<T>(item);
            }
        }
        catch (Exception e)
        {
            return ValueTask.FromException<T>(e);
        }

        var call = new GetCall(this, timeout);
        Wait(call, WatchedWord.Items, limit, cancellationToken);
        return call.Completion;
    }

    /// <summary>
    /// Yields the queue's items as they come, until the queue is shut down (<see cref="Shutdown"/>, in any process)
    /// and drained; then the enumeration completes.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled; the item being awaited was not taken.</exception>
    public async IAsyncEnumerable<T> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            T item;
            try
            {
                item = await GetAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (QueueShutDownException)
            {
                yield break;
            }

            yield return item;
        }
    }

    private void Wait(PendingCall call, WatchedWord watched, WaitLimit limit, CancellationToken cancellationToken)
    {
        long now = Stopwatch.GetTimestamp();
        call.Start(now, limit.DeadlineFrom(now), cancellationToken);
        ref QueueWatcher? watcher = ref _getWatcher;
        string calls = "GetAsync";
        if (watched == WatchedWord.Space)
        {
            watcher = ref _putWatcher;
            calls = "PutAsync";
        }
        else if (watched == WatchedWord.Tasks)
        {
            watcher = ref _joinWatcher;
            calls = "JoinAsync";
        }

        LazyInitializer.EnsureInitialized(ref watcher, () => new QueueWatcher(_protocol, watched, $"TypedIpc {calls} {Name}"));
        watcher.Add(call);

        // Once more, now that the watcher knows the call: a change between the first try and Add may have woken the
        // watcher before the call was there to serve, and then nothing would wake it again for this change.
        EntryLease lease;
        try
        {
            lease = _protocol.Enter();
        }
        catch (ObjectDisposedException)
        {
            return; // the watcher fails the call as disposed
        }

        CallOutcome outcome;
        try
        {
            outcome = call.TryOnce(lease, Stopwatch.GetTimestamp());
        }
        finally
        {
            QueueProtocol.Exit(lease);
        }

        if (outcome == CallOutcome.EndedNow)
        {
            call.Complete(runContinuationInline: false); // nobody awaits it yet: the caller finds it completed
        }
    }

    /// <summary>Before the protocol closes: the watchers stop taking calls (closing then wakes their threads).</summary>
    private void StopWatchers()
    {
        _getWatcher?.Stop();
        _putWatcher?.Stop();
        _joinWatcher?.Stop();
    }

    /// <summary>After the protocol closed: the watchers' threads end, and the calls still pending fail as disposed.</summary>
    private void JoinWatchers()
    {
        _getWatcher?.Join();
        _putWatcher?.Join();
        _joinWatcher?.Join();
    }

    private sealed class PutCall(SharedQueue<T> queue, T item, TimeSpan? timeout) : PendingCall<ValueTuple>(queue._metricsTag, get: false)
    {
        protected override bool TryWithoutWaiting(EntryLease lease)
        {
            var source = new ItemsSource(new ReadOnlySpan<T>(in item), queue);
            if (queue._protocol.Put(lease, ref source, 1, WaitLimit.NoWait, CancellationToken.None) == 0)
            {
                return false;
            }

            QueueMetrics.CountPuts(1, queue._metricsTag);
            return true;
        }

        protected override Exception TimedOut() => queue.Full(block: true, timeout, put: 0, of: 1);
    }

    private sealed class GetCall(SharedQueue<T> queue, TimeSpan? timeout) : PendingCall<T>(queue._metricsTag, get: true)
    {
        protected override bool TryWithoutWaiting(EntryLease lease)
        {
            T item = default!;
            var sink = new ItemsSink(new Span<T>(ref item), queue, lease.Writer.CodecState);
            if (queue._protocol.Take(lease, ref sink, 1, WaitLimit.NoWait, CancellationToken.None) == 0)
            {
                return false;
            }

            QueueMetrics.CountGets(1, queue._metricsTag);
            Succeed(item);
            return true;
        }

        protected override Exception TimedOut() => queue.Empty(block: true, timeout);
    }
}
