using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace TypedIpc.Hosting;

/// <summary>Registers TypedIpc queues and hosted consumers in a service collection.</summary>
public static class IpcServiceCollectionExtensions
{
    private const DynamicallyAccessedMemberTypes QueueMembers =
        DynamicallyAccessedMemberTypes.Interfaces | DynamicallyAccessedMemberTypes.PublicMethods;

    /// <summary>
    /// Registers the queue <paramref name="open"/> opens, once, at its first resolution, as a singleton that the host
    /// disposes when it stops; it also resolves as each <see cref="IIpcQueue{T}"/> it implements. Use it for a
    /// <see cref="SharedQueue{T}"/> (<c>sp =&gt; SharedQueue&lt;Job&gt;.Open("jobs", maxsize: 100)</c>), a queue on another
    /// backend, or a generated queue opened with settings of your own. The container disposes it once for each name it
    /// was resolved under; every TypedIpc queue ignores a Dispose after the first, as <see cref="IDisposable"/> asks.
    /// </summary>
    /// <typeparam name="TQueue">The queue's type: <see cref="SharedQueue{T}"/>, a generated queue, or <see cref="IIpcQueue{T}"/> itself.</typeparam>
    public static IServiceCollection AddIpcQueue<[DynamicallyAccessedMembers(QueueMembers)] TQueue>(
        this IServiceCollection services, Func<IServiceProvider, TQueue> open)
        where TQueue : class, IDisposable
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(open);
        services.AddSingleton(open);
        foreach (Type queueInterface in typeof(TQueue).GetInterfaces())
        {
            if (queueInterface.IsGenericType && queueInterface.GetGenericTypeDefinition() == typeof(IIpcQueue<>))
            {
                services.AddSingleton(queueInterface, provider => provider.GetRequiredService<TQueue>());
            }
        }

        return services;
    }

    /// <summary>
    /// Registers a queue the <c>[IpcQueue]</c> generator wrote, opened with its static <c>Open(name, options)</c>, as
    /// <see cref="AddIpcQueue{TQueue}(IServiceCollection, Func{IServiceProvider, TQueue})"/> does.
    /// </summary>
    /// <typeparam name="TQueue">A generated queue class (<c>JobQueue</c> for <c>[IpcQueue] record Job</c>).</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The queue's name; null for the name the attribute gives it.</param>
    /// <param name="options">The options to open it with; null for the defaults.</param>
    /// <exception cref="ArgumentException"><typeparamref name="TQueue"/> has no static <c>Open(string? name, QueueOptions? options)</c> returning it.</exception>
    public static IServiceCollection AddIpcQueue<[DynamicallyAccessedMembers(QueueMembers)] TQueue>(
        this IServiceCollection services, string? name = null, QueueOptions? options = null)
        where TQueue : class, IDisposable
    {
        MethodInfo open = typeof(TQueue).GetMethod(
            "Open", BindingFlags.Public | BindingFlags.Static, [typeof(string), typeof(QueueOptions)]) is { } method
            && method.ReturnType == typeof(TQueue)
                ? method
                : throw new ArgumentException(
                    $"{typeof(TQueue).Name} has no static Open(string? name, QueueOptions? options) as the queues of [IpcQueue] have. " +
                    $"Register it with AddIpcQueue(services => ...), opening it there (SharedQueue<T>.Open(name, maxsize), say).",
                    nameof(TQueue));
        return services.AddIpcQueue(_ => OpenGenerated<TQueue>(open, name, options));
    }

    /// <summary>
    /// Runs a hosted consumer of the registered <see cref="IIpcQueue{T}"/> of <typeparamref name="TMessage"/>: it takes
    /// messages with <see cref="IIpcQueue{T}.ReadAllAsync"/>, at most <see cref="IpcConsumerOptions.MaxConcurrency"/> at
    /// once, and hands each to a <typeparamref name="THandler"/> resolved in a scope of its own (registered scoped unless
    /// it is registered already). A handler's exception is logged and the consumer goes on. On a joinable queue, each
    /// message is marked done (<see cref="IJoinableQueue.TaskDone"/>) after its handler, whether it succeeded or not. When
    /// the host stops, the consumer takes no more messages and finishes the ones in hand; the rest stay in the queue.
    /// When the queue is shut down and drained, the consumer ends. A message that cannot be read is logged and skipped;
    /// when reading itself fails (the queue was disposed, say), the consumer logs it as critical, ends with the exception
    /// (the host's <c>BackgroundServiceExceptionBehavior</c> decides whether the host stops) and the queue health check
    /// reports it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="configure"/> set an invalid option.</exception>
    public static IServiceCollection AddIpcConsumer<TMessage, THandler>(
        this IServiceCollection services, Action<IpcConsumerOptions>? configure = null)
        where THandler : class, IIpcMessageHandler<TMessage>
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new IpcConsumerOptions();
        configure?.Invoke(options);
        services.TryAddScoped<THandler>();
        services.TryAddSingleton<IpcConsumerRegistry>();
        services.AddHostedService(provider => new IpcConsumerService<TMessage, THandler>(
            QueueOf<TMessage>(provider),
            provider.GetRequiredService<IServiceScopeFactory>(),
            options,
            provider.GetRequiredService<IpcConsumerRegistry>(),
            provider.GetRequiredService<ILogger<IpcConsumerService<TMessage, THandler>>>()));
        return services;
    }

    internal static IIpcQueue<TMessage> QueueOf<TMessage>(IServiceProvider provider) =>
        provider.GetService<IIpcQueue<TMessage>>() ?? throw new InvalidOperationException(
            $"No IIpcQueue<{typeof(TMessage).Name}> is registered: register the queue with services.AddIpcQueue(...) " +
            "before the consumers and health checks that use it.");

    private static TQueue OpenGenerated<TQueue>(MethodInfo open, string? name, QueueOptions? options)
    {
        try
        {
            return (TQueue)open.Invoke(null, [name, options])!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }
}
