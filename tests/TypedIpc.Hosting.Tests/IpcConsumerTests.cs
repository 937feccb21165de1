using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TypedIpc.Hosting.Tests.Support;
using TypedIpc.TestPeer;
using TypedIpc.Tests.Support;

namespace TypedIpc.Hosting.Tests;

/// <summary>The hosted consumer in a real host, over a shared queue that another process fills.</summary>
public sealed class IpcConsumerTests : IDisposable
{
    private readonly TestQueueName _name = new("hosting");

    public void Dispose() => _name.Dispose();

    [Fact]
    public async Task Messages_a_child_process_puts_are_each_handled_once_across_a_stop_and_a_restart()
    {
        const int total = 3000;
        const int maxConcurrency = 4;
        var first = new Handled();
        var second = new Handled();
        using var producer = PeerProcess.Start("produce", _name, "64", "1", total.ToString());

        using (IHost host = ConsumerHost.Build(_name, 64, first, new HandlerSettings { GateFrom = 1000 }, maxConcurrency: maxConcurrency))
        {
            await host.StartAsync();
            // Messages 0..999 handled; 1000..1003 in hand, waiting at the gate, so that the stop finds handlers busy.
            await first.When(h => h.Sequences.Count == 1000 && h.Running == maxConcurrency);
            Task stopping = host.Consumer().StopAsync(CancellationToken.None);
            first.Release();
            await stopping;
            await host.StopAsync();
        }

        Assert.Equal(0, first.Running);
        Assert.Equal(Enumerable.Range(0, 1000 + maxConcurrency).Select(i => (long)i), first.Sequences.Order());

        using (IHost host = ConsumerHost.Build(_name, 64, second, maxConcurrency: maxConcurrency))
        {
            await host.StartAsync();
            producer.WaitForSuccess();
            await second.When(h => h.Sequences.Count == total - first.Sequences.Count);
            await host.StopAsync();
        }

        Assert.Equal(Enumerable.Range(0, total).Select(i => (long)i), first.Sequences.Concat(second.Sequences).Order());
    }

    [Fact]
    public async Task A_stop_finishes_the_messages_in_hand_and_leaves_the_rest_in_the_queue()
    {
        var handled = new Handled();
        using IHost host = ConsumerHost.Build(_name, 16, handled, new HandlerSettings { GateFrom = 0 }, maxConcurrency: 2);
        var queue = host.Services.GetRequiredService<IIpcQueue<Numbered>>();
        queue.PutMany(ConsumerHost.Messages(5));
        await host.StartAsync();
        await handled.When(h => h.Running == 2);

        Task stopping = host.Consumer().StopAsync(CancellationToken.None);
        handled.Release();
        await stopping;

        Assert.Equal([0L, 1L], handled.Sequences.Order());
        Assert.Equal(3, queue.Count);
        Assert.Equal(2, queue.Get(block: false).Sequence);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_failing_handler_is_logged_and_the_consumer_goes_on_with_the_next_message()
    {
        var handled = new Handled();
        using IHost host = ConsumerHost.Build(_name, 16, handled, new HandlerSettings { FailOdd = true });
        await host.HandleMessagesAsync(handled, 10);

        var failures = host.Logs().GetSnapshot().Where(record => record.Level == LogLevel.Error).ToList();
        Assert.Equal(5, failures.Count);
        Assert.All(failures, record => Assert.IsType<InvalidOperationException>(record.Exception));
        Assert.Equal([1L, 3L, 5L, 7L, 9L], failures.Select(record => long.Parse(record.Exception!.Message.Split(' ')[^1])).Order());
        Assert.Contains(nameof(RecordingHandler), failures[0].Message);
        Assert.Contains(_name.Value, failures[0].Message);
    }

    [Fact]
    public async Task MaxConcurrency_bounds_the_messages_taken_and_handled_at_once()
    {
        var handled = new Handled();
        using IHost host = ConsumerHost.Build(_name, 32, handled, new HandlerSettings { GateFrom = 0 }, maxConcurrency: 3);
        var queue = host.Services.GetRequiredService<IIpcQueue<Numbered>>();
        queue.PutMany(ConsumerHost.Messages(20));
        await host.StartAsync();
        await handled.When(h => h.Running == 3);

        // Three in hand and no more taken: the consumer takes a message only for a free handler.
        Assert.Equal(17, queue.Count);
        handled.Release();
        await handled.When(h => h.Sequences.Count == 20);
        await host.StopAsync();

        Assert.Equal(3, handled.MostRunning);
    }

    [Fact]
    public async Task Each_message_gets_a_handler_of_its_own_scope_disposed_after_it()
    {
        var handled = new Handled();
        using IHost host = ConsumerHost.Build(_name, 16, handled, maxConcurrency: 4);
        await host.HandleMessagesAsync(handled, 12);

        ScopeCounts scopes = host.Services.GetRequiredService<ScopeCounts>();
        Assert.Equal(0, scopes.SharedScopes);
        Assert.Equal(12, scopes.DisposedScopes);
    }

    [Fact]
    public async Task On_a_joinable_queue_every_message_is_marked_done_whether_its_handler_failed_or_not()
    {
        var handled = new Handled();
        using IHost host = ConsumerHost.Build(
            _name, 16, handled, new HandlerSettings { FailOdd = true },
            services => services.AddIpcQueue(_ => new WrappedQueue<Numbered>(SharedQueue<Numbered>.Open(_name, 16)) { IsJoinable = true }));
        await host.HandleMessagesAsync(handled, 6);

        Assert.Equal(6, host.Services.GetRequiredService<WrappedQueue<Numbered>>().TasksDone);
    }

    [Fact]
    public async Task A_producer_joining_a_real_joinable_queue_returns_once_the_hosted_consumer_has_handled_every_message()
    {
        var joinable = new QueueOptions { Joinable = true };
        var handled = new Handled();
        using IHost host = ConsumerHost.Build(
            _name, 16, handled, new HandlerSettings { FailOdd = true },
            services => services.AddIpcQueue(_ => SharedQueue<Numbered>.Open(_name, 16, joinable)));
        using var producer = SharedQueue<Numbered>.Open(_name, 16, joinable);
        producer.PutMany(ConsumerHost.Messages(6));

        await host.StartAsync();
        await producer.JoinAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));
        await host.StopAsync();

        Assert.Equal(6, handled.Sequences.Count);
        Assert.Equal(0, SharedQueues.Inspect(_name).UnfinishedTasks);
    }

    [Fact]
    public async Task A_message_that_cannot_be_read_is_logged_and_the_consumer_goes_on_with_the_next()
    {
        var handled = new Handled();
        using IHost host = ConsumerHost.Build(
            _name, 16, handled, configure: services => services.AddIpcQueue(
                _ => new WrappedQueue<Numbered>(SharedQueue<Numbered>.Open(_name, 16)) { UnreadableMessages = 1 }));
        var queue = host.Services.GetRequiredService<IIpcQueue<Numbered>>();
        queue.PutMany(ConsumerHost.Messages(3));
        await host.StartAsync();
        await handled.When(h => h.Sequences.Count == 2);
        await host.StopAsync();

        Assert.Equal([1L, 2L], handled.Sequences.Order());
        var unreadable = Assert.Single(host.Logs().GetSnapshot(), record => record.Level == LogLevel.Error);
        Assert.IsType<MessageCorruptedException>(unreadable.Exception);
        Assert.Contains("could not be read", unreadable.Message);
    }

    [Fact]
    public async Task The_consumer_ends_when_the_queue_is_shut_down_and_drained()
    {
        var handled = new Handled();
        using IHost host = ConsumerHost.Build(_name, 16, handled);
        var queue = host.Services.GetRequiredService<IIpcQueue<Numbered>>();
        queue.PutMany(ConsumerHost.Messages(2));
        queue.Shutdown();
        await host.StartAsync();

        await host.Consumer().ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal([0L, 1L], handled.Sequences.Order());
        await host.StopAsync();
    }

    [Fact]
    public async Task A_consumer_without_a_registered_queue_fails_at_start_saying_what_to_register()
    {
        var handled = new Handled();
        using IHost host = ConsumerHost.Build(_name, 16, handled, configure: _ => { });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("AddIpcQueue", error.Message);
    }
}
