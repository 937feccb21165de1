using System.Globalization;
using System.Text;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Net;

namespace TypedIpc.Nats.Internal;

/// <summary>
/// The JetStream side of one queue: its stream, the durable pull consumer shared by every getter, and the raw
/// requests that put, pull and acknowledge messages. Every request is bounded by the timeout it is given, so
/// that the caller decides how long the server may stay silent.
/// </summary>
internal sealed class QueueStream
{
    /// <summary>Server error codes (<c>err_code</c>) of nats-server 2.9.</summary>
    private const int StreamNotFound = 10059;
    private const int StreamNameInUse = 10058;
    private const int ConsumerNotFound = 10014;
    private const int MaximumMessagesExceeded = 10077;
    private const int MaximumBytesExceeded = 10047;

    private static readonly byte[] AckPayload = "+ACK"u8.ToArray();
    private static readonly byte[] NakPayload = "-NAK"u8.ToArray();
    private static readonly byte[] TermPayload = "+TERM"u8.ToArray();
    private static readonly byte[] NoWaitPullRequest = """{"batch":1,"no_wait":true}"""u8.ToArray();
    private static readonly NatsRawSerializer<byte[]> Raw = NatsRawSerializer<byte[]>.Default;

    /// <summary>
    /// What the server counts beyond a put's payload against the stream's <c>MaxMsgSize</c> and its <c>max_payload</c>:
    /// the header block that carries the put's <c>Nats-Msg-Id</c> (79 bytes at most), rounded up.
    /// </summary>
    public const int PutHeaderBytes = 128;

    /// <summary>What a pull request waits for at most before the caller re-checks cancellation, shutdown and the server.</summary>
    public static readonly TimeSpan PullWindow = TimeSpan.FromSeconds(1);

    /// <summary>JetStream's answer that the queue's stream does not exist (deleted after the queue was opened).</summary>
    public static bool IsMissingStream(Exception e) => e is NatsJSApiException { Error.ErrCode: StreamNotFound };

    /// <summary>Extra time a request's reply may take beyond what the server was asked to wait.</summary>
    private static readonly TimeSpan ReplyMargin = TimeSpan.FromSeconds(1);

    private readonly INatsConnection _connection;
    private readonly INatsJSContext _jetStream;
    private PullInbox? _inbox;

    public QueueStream(INatsClient client, QueueNames names)
    {
        _connection = client.Connection;
        _jetStream = client.CreateJetStreamContext();
        Names = names;
    }

    public QueueNames Names { get; }

    private PullInbox Inbox => _inbox ?? throw new InvalidOperationException("the queue stream was not started.");

    /// <summary>Subscribes to the replies of this handle's pulls; call once before the first pull.</summary>
    public async ValueTask StartAsync(CancellationToken cancellationToken) =>
        _inbox = await PullInbox.StartAsync(_connection, message => NakAsync(message), cancellationToken).ConfigureAwait(false);

    public ValueTask StopAsync() => _inbox?.DisposeAsync() ?? ValueTask.CompletedTask;

    public bool IsConnected => _connection.ConnectionState == NatsConnectionState.Open;

    /// <summary>Creates the stream and its consumer, or checks the existing ones against <paramref name="wanted"/>.</summary>
    public async ValueTask<QueueDescription> CreateOrCheckAsync(
        QueueDescription wanted, NatsQueueOptions options, CancellationToken cancellationToken)
    {
        StreamInfo info = await GetOrCreateStreamAsync(wanted, options, cancellationToken).ConfigureAwait(false);
        QueueDescription existing = Check(info.Config, wanted, options);
        await EnsureConsumerAsync(options, cancellationToken).ConfigureAwait(false);
        return existing;
    }

    /// <summary>The queue's description and how many messages its stream holds (including taken, unacknowledged ones).</summary>
    public async ValueTask<(QueueDescription? Description, long Messages)> ReadAsync(CancellationToken cancellationToken)
    {
        INatsJSStream stream = await _jetStream.GetStreamAsync(Names.Stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        return (QueueDescription.TryParse(stream.Info.Config.Description), (long)stream.Info.State.Messages);
    }

    /// <summary>
    /// Publishes one message; the server either stores it (its acknowledgement is the put's guarantee) or refuses it.
    /// The message id lets the server drop the copy of a retried publish whose first attempt was stored.
    /// </summary>
    public async ValueTask<PutOutcome> PublishAsync(byte[] payload, string messageId, TimeSpan timeout)
    {
        var headers = new NatsHeaders { ["Nats-Msg-Id"] = messageId };
        NatsMsg<byte[]> reply = await _connection.RequestAsync(
            Names.Subject, payload, headers, Raw, Raw,
            replyOpts: new NatsSubOpts { Timeout = timeout, ThrowIfNoResponders = false }).ConfigureAwait(false);
        if (reply.HasNoResponders)
        {
            return PutOutcome.NoStream;
        }

        PublishAck ack = PublishAck.Parse(reply.Data);
        return ack switch
        {
            { ErrorCode: null, Stored: true } => PutOutcome.Stored,
            { ErrorCode: MaximumMessagesExceeded or MaximumBytesExceeded } => PutOutcome.Full,
            // Answers, not silence: they surface as they are instead of being waited out as an unreachable server.
            { ErrorCode: null } => throw new TypedIpcException($"the server answered a put on stream '{Names.Stream}' with no acknowledgement."),
            _ => throw new TypedIpcException($"the server refused a put on stream '{Names.Stream}': {ack.ErrorDescription} (err_code {ack.ErrorCode})."),
        };
    }

    /// <summary>
    /// Asks the shared consumer for one message, waiting at most <paramref name="wait"/> (zero: not at all, capped at
    /// <see cref="PullWindow"/>). Returns the message, or null when none came. Cancellation ends the wait at once.
    /// </summary>
    public Task<NatsMsg<byte[]>?> PullAsync(TimeSpan wait, TimeSpan requestTimeout, CancellationToken cancellationToken)
    {
        if (wait <= TimeSpan.Zero)
        {
            return Inbox.PullAsync(Names.PullSubject, NoWaitPullRequest, TimeSpan.Zero, requestTimeout, cancellationToken);
        }

        TimeSpan expires = wait < PullWindow ? wait : PullWindow;
        byte[] request = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture,
            $$"""{"batch":1,"expires":{{(long)expires.TotalNanoseconds}}}"""));
        return Inbox.PullAsync(Names.PullSubject, request, expires, expires + (requestTimeout < ReplyMargin ? requestTimeout : ReplyMargin), cancellationToken);
    }

    public ValueTask AckAsync(in NatsMsg<byte[]> message) => _connection.PublishAsync(message.ReplyTo!, AckPayload, serializer: Raw);

    /// <summary>Hands a taken message back for immediate redelivery (a get that was cancelled while it arrived).</summary>
    public ValueTask NakAsync(in NatsMsg<byte[]> message) => _connection.PublishAsync(message.ReplyTo!, NakPayload, serializer: Raw);

    /// <summary>Removes a message that can never be read, instead of redelivering it for ever.</summary>
    public ValueTask TerminateAsync(in NatsMsg<byte[]> message) => _connection.PublishAsync(message.ReplyTo!, TermPayload, serializer: Raw);

    /// <summary>
    /// Marks the queue shut down in its description and moves the stream to a subject nobody publishes to, so that
    /// the server itself refuses later puts from every process; <paramref name="immediate"/> also discards what is left.
    /// </summary>
    public async ValueTask ShutDownAsync(bool immediate, CancellationToken cancellationToken)
    {
        INatsJSStream stream = await _jetStream.GetStreamAsync(Names.Stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        QueueDescription description = QueueDescription.TryParse(stream.Info.Config.Description)
            ?? throw new QueueMismatchException($"stream '{Names.Stream}' no longer describes a TypedIpc queue; it was not shut down.");
        QueueState state = immediate || description.State == QueueState.ShutDownImmediate ? QueueState.ShutDownImmediate : QueueState.ShutDown;
        if (description.State != state)
        {
            StreamConfig config = stream.Info.Config;
            config.Description = (description with { State = state }).Format();
            config.Subjects = [Names.ShutDownSubject];
            await _jetStream.UpdateStreamAsync(config, cancellationToken).ConfigureAwait(false);
        }

        if (immediate)
        {
            await _jetStream.PurgeStreamAsync(Names.Stream, new StreamPurgeRequest(), cancellationToken).ConfigureAwait(false);
        }

        await _connection.PublishAsync(Names.EventSubject, immediate ? "immediate"u8.ToArray() : "shut-down"u8.ToArray(),
            serializer: Raw, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<bool> DeleteAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _jetStream.DeleteStreamAsync(Names.Stream, cancellationToken).ConfigureAwait(false);
        }
        catch (NatsJSApiException e) when (IsMissingStream(e))
        {
            return false;
        }
    }

    private async ValueTask<StreamInfo> GetOrCreateStreamAsync(QueueDescription wanted, NatsQueueOptions options, CancellationToken cancellationToken)
    {
        // Two processes may create the queue at once: whoever loses the race reads the winner's stream.
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return (await _jetStream.GetStreamAsync(Names.Stream, cancellationToken: cancellationToken).ConfigureAwait(false)).Info;
            }
            catch (NatsJSApiException e) when (IsMissingStream(e) && attempt < 3)
            {
            }

            try
            {
                return (await _jetStream.CreateStreamAsync(StreamConfigFor(wanted, options), cancellationToken).ConfigureAwait(false)).Info;
            }
            catch (NatsJSApiException e) when (e.Error.ErrCode == StreamNameInUse && attempt < 3)
            {
            }
        }
    }

    private StreamConfig StreamConfigFor(QueueDescription wanted, NatsQueueOptions options) => new(Names.Stream, [Names.Subject])
    {
        Description = wanted.Format(),
        Retention = StreamConfigRetention.Workqueue,
        Discard = StreamConfigDiscard.New,
        MaxMsgs = wanted.MaxSize > 0 ? wanted.MaxSize : -1,
        MaxBytes = wanted.MaxSize > 0 ? -1 : wanted.CapacityBytes,
        MaxMsgSize = wanted.MaxMessageBytes + PutHeaderBytes,
        Storage = options.Storage,
        NumReplicas = options.Replicas,
    };

    private QueueDescription Check(StreamConfig config, QueueDescription wanted, NatsQueueOptions options)
    {
        QueueDescription existing = QueueDescription.TryParse(config.Description)
            ?? throw new QueueMismatchException(
                $"a stream named '{Names.Stream}' exists on the server but was not created by TypedIpc for queue '{Names.Queue}' " +
                $"(its description is \"{config.Description}\"). Use another queue name, or delete that stream if it is a leftover.");
        List<string> differences = existing.DifferencesFrom(wanted);
        string expectedSubject = existing.State == QueueState.Open ? Names.Subject : Names.ShutDownSubject;
        if (config.Retention != StreamConfigRetention.Workqueue || config.Discard != StreamConfigDiscard.New
            || config.Subjects is not { Count: 1 } subjects || subjects.First() != expectedSubject)
        {
            differences.Add($"stream layout: it is not a work-queue stream on subject '{expectedSubject}' that refuses new messages when full " +
                "(someone changed it by hand)");
        }

        // The description is what processes agree on; the limits the server enforces must still be the ones it describes.
        StreamConfig described = StreamConfigFor(existing, options);
        if (config.MaxMsgs != described.MaxMsgs || config.MaxBytes != described.MaxBytes || config.MaxMsgSize != described.MaxMsgSize)
        {
            differences.Add($"stream limits: it has MaxMsgs {config.MaxMsgs}, MaxBytes {config.MaxBytes}, MaxMsgSize {config.MaxMsgSize} where its " +
                $"description means MaxMsgs {described.MaxMsgs}, MaxBytes {described.MaxBytes}, MaxMsgSize {described.MaxMsgSize} (someone changed it by hand)");
        }

        if (config.Storage != options.Storage)
        {
            differences.Add($"storage: the stream keeps its messages in {config.Storage}, this process opens it with {options.Storage}");
        }

        if (differences.Count > 0)
        {
            throw new QueueMismatchException(
                $"queue '{Names.Queue}' (stream '{Names.Stream}') exists with other settings than this process opens it with: " +
                $"{string.Join("; ", differences)}. Every process must open a queue with the same message type, maxsize and limits.");
        }

        return existing;
    }

    private async ValueTask EnsureConsumerAsync(NatsQueueOptions options, CancellationToken cancellationToken)
    {
        try
        {
            await _jetStream.GetConsumerAsync(Names.Stream, QueueNames.ConsumerName, cancellationToken).ConfigureAwait(false);
        }
        catch (NatsJSApiException e) when (e.Error.ErrCode == ConsumerNotFound)
        {
            // Created once, by whoever finds it missing: AckWait is the creator's, and a consumer that exists is never changed.
            await _jetStream.CreateOrUpdateConsumerAsync(Names.Stream, new ConsumerConfig(QueueNames.ConsumerName)
            {
                AckPolicy = ConsumerConfigAckPolicy.Explicit,
                AckWait = options.AckWait,
                DeliverPolicy = ConsumerConfigDeliverPolicy.All,
                MaxWaiting = 4096,
            }, cancellationToken).ConfigureAwait(false);
        }
    }
}

internal enum PutOutcome
{
    Stored,
    Full,

    /// <summary>Nothing listens on the queue's subject: the queue was shut down, or JetStream is (re)starting.</summary>
    NoStream,
}
