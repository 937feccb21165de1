using System.Collections.Concurrent;

namespace TypedIpc.Hosting;

/// <summary>What became of one hosted consumer.</summary>
internal enum IpcConsumerStatus
{
    /// <summary>Registered, started or about to start: taking and handling messages.</summary>
    Running,

    /// <summary>Ended normally: the host stopped it, or the queue was shut down and drained.</summary>
    Stopped,

    /// <summary>Ended by an error of the queue (disposed, unreachable): it takes no more messages.</summary>
    Faulted,
}

/// <summary>One hosted consumer's state, as the health check reads it.</summary>
internal sealed class IpcConsumerState(Type handlerType)
{
    // Written by the consumer, read by health checks on other threads.
    private volatile IpcConsumerStatus _status;
    private volatile Exception? _fault;

    public Type HandlerType { get; } = handlerType;

    public IpcConsumerStatus Status => _status;

    public Exception? Fault => _fault;

    public void Stopped() => _status = IpcConsumerStatus.Stopped;

    public void Faulted(Exception fault)
    {
        _fault = fault;
        _status = IpcConsumerStatus.Faulted;
    }
}

/// <summary>The hosted consumers of each message type's queue, for the queue health check.</summary>
internal sealed class IpcConsumerRegistry
{
    private readonly ConcurrentDictionary<Type, List<IpcConsumerState>> _consumers = new();

    public IpcConsumerState Add<TMessage>(Type handlerType)
    {
        var state = new IpcConsumerState(handlerType);
        List<IpcConsumerState> states = _consumers.GetOrAdd(typeof(TMessage), _ => []);
        lock (states)
        {
            states.Add(state);
        }

        return state;
    }

    public IReadOnlyList<IpcConsumerState> Of<TMessage>()
    {
        if (!_consumers.TryGetValue(typeof(TMessage), out List<IpcConsumerState>? states))
        {
            return [];
        }

        lock (states)
        {
            return [.. states];
        }
    }
}
