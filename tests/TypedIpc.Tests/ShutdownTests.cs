using TypedIpc.Internal;
using TypedIpc.Tests.Support;
using TypedIpc.TestPeer;

namespace TypedIpc.Tests;

/// <summary>Shutdown with Python 3.13's semantics, across real processes: TypedIpc.TestPeer children on the other side.</summary>
public sealed class ShutdownTests : IDisposable
{
    private readonly TestQueueName _name = new("shutdown");

    public void Dispose() => _name.Dispose();

    [Fact]
    public void A_Get_blocked_in_another_process_wakes_with_QueueShutDownException_woken_by_the_shutdown_here()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 3);
        using var child = PeerProcess.Start("get-until-shut-down", _name, "3");
        child.WaitUntilAsleepIn(_name.Path);

        queue.Shutdown();

        AssertWokenBy("the shutdown", child);
        string[] words = child.WaitForSuccess().Trim().Split(' ');
        Assert.Equal("shut down", $"{words[0]} {words[1]}");
    }

    [Fact]
    public void A_Put_blocked_in_another_process_wakes_with_QueueShutDownException_and_what_it_put_can_still_be_got()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 1);
        using var child = PeerProcess.Start("put-until-shut-down", _name, "1", "5");
        child.WaitUntilAsleepIn(_name.Path); // in its second Put: the first filled the queue

        queue.Shutdown();

        AssertWokenBy("the shutdown", child);
        string[] words = child.WaitForSuccess().Trim().Split(' ');
        Assert.Equal("shut down after 1", string.Join(' ', words[..4]));
        Assert.Equal(new Numbered(5, 0, 0), queue.Get());
        Assert.Throws<QueueShutDownException>(() => queue.Get());
    }

    [Fact]
    public void A_Get_blocked_in_this_process_wakes_with_QueueShutDownException_when_another_process_shuts_the_queue_down()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 3);
        var get = BlockedCall<Numbered>.Start("Get", () => queue.Get()).WaitUntilAsleepIn(_name.Path);

        using var child = PeerProcess.Start("shut-down", _name, "3");
        child.WaitForSuccess();

        get.Exception<QueueShutDownException>();
        Assert.True(queue.IsShutDown);
    }

    [Fact]
    public void A_process_that_opens_a_shut_down_queue_finds_it_shut_down_and_gets_what_is_left_then_QueueShutDownException()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 3);
        for (int i = 0; i < 3; i++)
        {
            queue.Put(new Numbered(1, i, 0));
        }

        queue.Shutdown();

        using (var probe = PeerProcess.Start("probe-shut-down", _name, "3"))
        {
            Assert.Equal(["IsShutDown True", "Put threw"], probe.WaitForSuccess().Trim().Split(Environment.NewLine));
        }

        using var consumer = PeerProcess.Start("get-until-shut-down", _name, "3");
        string[] lines = consumer.WaitForSuccess().Trim().Split(Environment.NewLine);
        Assert.Equal(["got 1 0", "got 1 1", "got 1 2"], lines[..3]);
        Assert.StartsWith("shut down ", lines[3]);
        Assert.Equal(4, lines.Length);
    }

    [Fact]
    public void An_immediate_shutdown_discards_what_is_left_and_wakes_a_Put_blocked_in_another_process()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 2);
        using var child = PeerProcess.Start("put-until-shut-down", _name, "2", "5");
        child.WaitUntilAsleepIn(_name.Path); // in its third Put: the queue is full

        queue.Shutdown(immediate: true);

        Assert.StartsWith("shut down after 2 ", child.WaitForSuccess().Trim());
        Assert.Equal(0, queue.Count);
        Assert.Throws<QueueShutDownException>(() => queue.Get(block: false));
        Assert.Throws<QueueShutDownException>(() => queue.TryGet(out _));
    }

    [Fact]
    public void Every_put_throws_after_a_shutdown_and_an_immediate_shutdown_may_follow_a_plain_one()
    {
        using var queue = SharedQueue<int>.Open(_name, maxsize: 4);
        queue.PutMany([1, 2]);
        Assert.False(queue.IsShutDown);

        queue.Shutdown();
        queue.Shutdown();

        Assert.True(queue.IsShutDown);
        Assert.Throws<QueueShutDownException>(() => queue.Put(3));
        Assert.Throws<QueueShutDownException>(() => queue.PutMany([3, 4]));
        Assert.Throws<QueueShutDownException>(() => queue.PutNowait(3));
        Assert.Throws<QueueShutDownException>(() => queue.TryPut(3));
        Assert.Equal(1, queue.Get());

        queue.Shutdown(immediate: true);

        Assert.Equal(0, queue.Count);
        Assert.Throws<QueueShutDownException>(() => queue.Get(timeout: TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void A_PutMany_stopped_by_a_shutdown_says_how_many_of_its_items_went_in()
    {
        using var queue = SharedQueue<int>.Open(_name, maxsize: 1);
        var putMany = BlockedCall<int>.Start("PutMany", () =>
        {
            queue.PutMany([1, 2, 3]);
            return 0;
        }).WaitUntilAsleepIn(_name.Path); // the first item filled the queue

        queue.Shutdown();

        Assert.Equal(1, putMany.Exception<QueueShutDownException>().Data[QueueProtocol.ItemsPutKey]);
        Assert.Equal(1, queue.Get());
        Assert.Throws<QueueShutDownException>(() => queue.Get(block: false));
    }

    /// <summary>
    /// Called right after the call that must wake the child: its main thread, which made the blocked call, must no
    /// longer sleep on the queue's futex. Read in the kernel rather than timed, so a loaded machine cannot fail it; a
    /// sleeper the wake missed would end only at its next bounded sleep (QueueProtocol.SleepBound), which no clock
    /// bound on a loaded machine could tell apart from a slow wake.
    /// </summary>
    private void AssertWokenBy(string what, PeerProcess child) =>
        Assert.False(
            KernelWait.IsSleepingOnFutexIn(child.Id, child.Id, _name.Path),
            $"{what} did not wake peer {child.Id}: it still sleeps on the queue's futex, left to its next bounded sleep.");
}
