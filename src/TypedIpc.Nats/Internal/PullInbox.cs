using System.Collections.Concurrent;
using System.Globalization;
using NATS.Client.Core;

namespace TypedIpc.Nats.Internal;

/// <summary>
/// The reply subject of one queue handle's pull requests: one subscription on <c>INBOX.*</c>, each pull sent with
/// <c>INBOX.&lt;id&gt;</c>. A pull request cannot be withdrawn from the server, so a message that arrives for a pull
/// whose caller gave up (cancelled, shut down, timed out) goes to another waiting caller of this handle, or is handed
/// back (NAK) for the next getter at once.
/// NATS.Net's request-reply is not used for pulls: its shared inbox stops answering after the first pulled message.
/// </summary>
internal sealed class PullInbox : IAsyncDisposable
{
    private static readonly NatsRawSerializer<byte[]> Raw = NatsRawSerializer<byte[]>.Default;

    private readonly INatsConnection _connection;
    private readonly INatsSub<byte[]> _replies;
    private readonly string _prefix;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<NatsMsg<byte[]>?>> _waiting = new();
    private readonly Func<NatsMsg<byte[]>, ValueTask> _handBack;
    private readonly Task _dispatch;
    private long _lastId;

    /// <summary>Until when (<see cref="Environment.TickCount64"/>) the server may still answer a pull whose caller gave up with a message.</summary>
    private long _pullsOpenUntil;

    private PullInbox(INatsConnection connection, INatsSub<byte[]> replies, string prefix, Func<NatsMsg<byte[]>, ValueTask> handBack)
    {
        _connection = connection;
        _replies = replies;
        _prefix = prefix;
        _handBack = handBack;
        _dispatch = DispatchAsync();
    }

    public static async ValueTask<PullInbox> StartAsync(
        INatsConnection connection, Func<NatsMsg<byte[]>, ValueTask> handBack, CancellationToken cancellationToken)
    {
        // Not NewInbox(): NATS.Net routes subscriptions under its own inbox prefix through its one-level request
        // subscription, which never sees INBOX.<id> replies, and the server drops a pull nobody listens for.
        string prefix = $"{connection.Opts.InboxPrefix}.{Guid.NewGuid():N}";
        INatsSub<byte[]> replies = await connection.SubscribeCoreAsync(prefix + ".*", serializer: Raw, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        return new PullInbox(connection, replies, prefix, handBack);
    }

    /// <summary>
    /// Sends <paramref name="request"/> to <paramref name="pullSubject"/> and waits for its one reply: the message, or
    /// null for a status (no message). A 503 (JetStream not answering) throws <see cref="NatsNoRespondersException"/>. <see cref="TimeoutException"/> when the server stays silent for <paramref name="replyTimeout"/>.
    /// <paramref name="expires"/> is how long the server keeps the request waiting for a message (zero for a no-wait pull).
    /// </summary>
    public async Task<NatsMsg<byte[]>?> PullAsync(
        string pullSubject, byte[] request, TimeSpan expires, TimeSpan replyTimeout, CancellationToken cancellationToken)
    {
        long id = Interlocked.Increment(ref _lastId);
        long expiresAt = Environment.TickCount64 + (long)Math.Ceiling(expires.TotalMilliseconds);
        var reply = new TaskCompletionSource<NatsMsg<byte[]>?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[id] = reply;
        try
        {
            await _connection.PublishAsync(pullSubject, request, replyTo: _prefix + "." + id.ToString(CultureInfo.InvariantCulture),
                serializer: Raw, cancellationToken: cancellationToken).ConfigureAwait(false);
            return await reply.Task.WaitAsync(replyTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            if (!_waiting.TryRemove(id, out _) && reply.Task.IsCompletedSuccessfully)
            {
                // The reply came in the same instant: the caller will not read a message, so it goes back.
                if (reply.Task.Result is { } late)
                {
                    await _handBack(late).ConfigureAwait(false);
                }
            }
            else
            {
                // Unanswered, the request stays open on the server until it expires, and may still get a message.
                KeepOpenUntil(expiresAt);
            }

            throw;
        }
        finally
        {
            _waiting.TryRemove(id, out _);
        }
    }

    /// <summary>
    /// Unsubscribes once every pull whose caller gave up has expired: a pull cannot be withdrawn, and a message the
    /// server still sends to it is handed back here at once, where without the subscription it would wait out AckWait.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        long open = Volatile.Read(ref _pullsOpenUntil) - Environment.TickCount64;
        if (open > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(open)).ConfigureAwait(false);
        }

        try
        {
            await _replies.DisposeAsync().ConfigureAwait(false);
        }
        catch (NatsException)
        {
            // Unsubscribing needs the server; the subscription of a lost connection is gone anyway.
        }

        await _dispatch.ConfigureAwait(false);
    }

    private async Task DispatchAsync()
    {
        await foreach (NatsMsg<byte[]> reply in _replies.Msgs.ReadAllAsync().ConfigureAwait(false))
        {
            if (reply.HasNoResponders || reply.Headers is { Code: > 0 } || string.IsNullOrEmpty(reply.ReplyTo))
            {
                // A status (404 no messages, 408 request expired, 409 too many waiting pulls, 503 no JetStream) comes
                // on the inbox subject of the pull it answers; nothing is lost when that caller already has a message.
                string subject = reply.Subject;
                if (long.TryParse(subject.AsSpan(subject.LastIndexOf('.') + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long id)
                    && _waiting.TryRemove(id, out TaskCompletionSource<NatsMsg<byte[]>?>? waiter))
                {
                    if (reply.HasNoResponders)
                    {
                        waiter.TrySetException(new NatsNoRespondersException());
                    }
                    else
                    {
                        waiter.TrySetResult(null);
                    }
                }

                continue;
            }

            // A message keeps the subject it was published on, so it cannot tell which pull it answers: any waiting
            // caller may have it, and with nobody waiting it goes back.
            if (!GiveToAnyWaiter(reply))
            {
                try
                {
                    await _handBack(reply).ConfigureAwait(false);
                }
                catch (NatsException)
                {
                    // Not handed back: it stays taken by nobody and comes back after AckWait.
                }
            }
        }
    }

    private void KeepOpenUntil(long tick)
    {
        long current = Volatile.Read(ref _pullsOpenUntil);
        while (tick > current)
        {
            long seen = Interlocked.CompareExchange(ref _pullsOpenUntil, tick, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    private bool GiveToAnyWaiter(NatsMsg<byte[]> message)
    {
        foreach (long id in _waiting.Keys)
        {
            if (_waiting.TryRemove(id, out TaskCompletionSource<NatsMsg<byte[]>?>? waiter) && waiter.TrySetResult(message))
            {
                return true;
            }
        }

        return false;
    }
}
