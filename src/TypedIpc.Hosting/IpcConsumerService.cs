using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace TypedIpc.Hosting;

/// <summary>
/// The hosted consumer of <see cref="IpcServiceCollectionExtensions.AddIpcConsumer{TMessage, THandler}"/>: takes messages
/// with <see cref="IIpcQueue{T}.ReadAllAsync"/> only when a handler slot is free, hands each to a
/// <typeparamref name="THandler"/> of its own scope, and marks it done on a joinable queue. Stopping cancels the read
/// (a canceled read takes nothing) and waits for the messages in hand.
/// </summary>
internal sealed partial class IpcConsumerService<TMessage, THandler> : BackgroundService
    where THandler : class, IIpcMessageHandler<TMessage>
{
    private readonly IIpcQueue<TMessage> _queue;
    private readonly IServiceScopeFactory _scopes;
    private readonly int _maxConcurrency;
    private readonly IpcConsumerState _state;
    private readonly ILogger _logger;

    // Canceled when the host's shutdown timeout runs out: only then are the handlers in progress asked to give up.
    private readonly CancellationTokenSource _outOfTime = new();

    public IpcConsumerService(
        IIpcQueue<TMessage> queue, IServiceScopeFactory scopes, IpcConsumerOptions options, IpcConsumerRegistry registry,
        ILogger<IpcConsumerService<TMessage, THandler>> logger)
    {
        _queue = queue;
        _scopes = scopes;
        _maxConcurrency = options.MaxConcurrency;
        _state = registry.Add<TMessage>(typeof(THandler));
        _logger = logger;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await using CancellationTokenRegistration outOfTime = cancellationToken.Register(_outOfTime.Cancel);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _outOfTime.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        IJoinableQueue? joinable = _queue is IJoinableQueue { IsJoinable: true } queue ? queue : null;
        using var freeSlots = new SemaphoreSlim(_maxConcurrency, _maxConcurrency);
        LogStarted(_queue.Name, typeof(THandler), _maxConcurrency);
        try
        {
            await TakeWhileRunningAsync(freeSlots, joinable, stoppingToken).ConfigureAwait(false);
            _state.Stopped();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _state.Stopped();
        }
        catch (Exception e)
        {
            _state.Faulted(e);
            LogFaulted(e, _queue.Name, typeof(THandler));
            throw;
        }
        finally
        {
            // The messages in hand finish (each holds a slot until its handler returns); nothing more is taken.
            for (int i = 0; i < _maxConcurrency; i++)
            {
                await freeSlots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            }

            LogStopped(_queue.Name, typeof(THandler));
        }
    }

    /// <summary>Takes and dispatches messages until the stop (an <see cref="OperationCanceledException"/>) or until the queue is shut down and drained.</summary>
    private async Task TakeWhileRunningAsync(SemaphoreSlim freeSlots, IJoinableQueue? joinable, CancellationToken stoppingToken)
    {
        while (true)
        {
            // A fresh enumeration after a message that could not be read: the one that threw has ended.
            IAsyncEnumerator<TMessage> messages = _queue.ReadAllAsync(stoppingToken).GetAsyncEnumerator(stoppingToken);
            await using (messages.ConfigureAwait(false))
            {
                try
                {
                    while (true)
                    {
                        // Wait for a free handler before taking a message, so that a stop never finds one taken and not handled.
                        await freeSlots.WaitAsync(stoppingToken).ConfigureAwait(false);
                        bool taken;
                        try
                        {
                            taken = await messages.MoveNextAsync().ConfigureAwait(false);
                        }
                        catch
                        {
                            freeSlots.Release();
                            throw;
                        }

                        if (!taken)
                        {
                            freeSlots.Release();
                            LogQueueShutDown(_queue.Name, typeof(THandler));
                            return;
                        }

                        TMessage message = messages.Current;
                        _ = Task.Run(() => HandleAsync(message, freeSlots, joinable), CancellationToken.None);
                    }
                }
                catch (MessageCorruptedException e)
                {
                    LogUnreadable(e, _queue.Name, typeof(THandler));
                }
            }
        }
    }

    private async Task HandleAsync(TMessage message, SemaphoreSlim freeSlots, IJoinableQueue? joinable)
    {
        try
        {
            AsyncServiceScope scope = _scopes.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                THandler handler = scope.ServiceProvider.GetRequiredService<THandler>();
                await handler.HandleAsync(message, _outOfTime.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            LogHandlerFailed(e, _queue.Name, typeof(THandler));
        }
        finally
        {
            try
            {
                // Done either way: the message was taken and will not be handled again, so Join must not wait for it.
                joinable?.TaskDone();
            }
            catch (Exception e)
            {
                LogTaskDoneFailed(e, _queue.Name);
            }

            freeSlots.Release();
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Consuming queue '{Queue}' with {Handler}, at most {MaxConcurrency} messages at once.")]
    private partial void LogStarted(string queue, Type handler, int maxConcurrency);

    [LoggerMessage(2, LogLevel.Information, "Stopped consuming queue '{Queue}' with {Handler}: the messages in hand are handled, the rest stay in the queue.")]
    private partial void LogStopped(string queue, Type handler);

    [LoggerMessage(3, LogLevel.Information, "Queue '{Queue}' was shut down and is drained: its consumer {Handler} ends.")]
    private partial void LogQueueShutDown(string queue, Type handler);

    [LoggerMessage(4, LogLevel.Error, "{Handler} failed on a message of queue '{Queue}'; the consumer goes on with the next message.")]
    private partial void LogHandlerFailed(Exception exception, string queue, Type handler);

    [LoggerMessage(5, LogLevel.Error, "A message of queue '{Queue}' could not be read and was removed; {Handler} goes on with the next message.")]
    private partial void LogUnreadable(Exception exception, string queue, Type handler);

    [LoggerMessage(6, LogLevel.Error, "TaskDone on queue '{Queue}' failed after a handled message.")]
    private partial void LogTaskDoneFailed(Exception exception, string queue);

    [LoggerMessage(7, LogLevel.Critical, "The consumer {Handler} of queue '{Queue}' stopped: the queue failed. It takes no more messages.")]
    private partial void LogFaulted(Exception exception, string queue, Type handler);
}
