namespace TypedIpc.Hosting;

/// <summary>How a hosted consumer (<see cref="IpcServiceCollectionExtensions.AddIpcConsumer{TMessage, THandler}"/>) takes and handles messages.</summary>
public sealed class IpcConsumerOptions
{
    private int _maxConcurrency = 1;

    /// <summary>
    /// The most messages handled at once; 1 (the default) handles them one at a time, in queue order. The consumer takes
    /// a message only when a handler is free for it, so a stopping host leaves every message not in hand in the queue.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxConcurrency
    {
        get => _maxConcurrency;
        set => _maxConcurrency = value >= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "IpcConsumerOptions.MaxConcurrency must be at least 1 (1 handles messages one at a time).");
    }
}
