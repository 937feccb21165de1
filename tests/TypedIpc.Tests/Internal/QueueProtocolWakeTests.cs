using System.Runtime.InteropServices;
using TypedIpc.Platform.Linux;
using TypedIpc.Tests.Support;
using TypedIpc.TestPeer;

namespace TypedIpc.Tests.Internal;

/// <summary>Wake-ups that reach a consumer which is killed before it can use them.</summary>
public sealed unsafe partial class QueueProtocolWakeTests : IDisposable
{
    private readonly TestQueueName _name = new("wake");

    public void Dispose() => _name.Dispose();

    /// <summary>
    /// A sleeping consumer is woken for a published item and SIGKILLed before it retries: the kernel has handed
    /// that one wake to a process that will never use it. The test plays that consumer with a raw futex wait (the
    /// announcement and FUTEX_WAIT a sleeping Get makes) that ends without retrying, queued in the kernel before a
    /// real consumer in a child process. The item must still reach the child (its sleep is bounded).
    /// </summary>
    [Fact]
    public void An_item_is_not_stranded_when_the_consumer_woken_for_it_dies_before_retrying()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 3);
        using var region = new RegionView(_name);
        int* word = &region.Header->ItemsFutex;
        int dyingWaiterThread = 0;
        var dyingConsumer = new Thread(() =>
        {
            Volatile.Write(ref dyingWaiterThread, GetThreadId());
            int announced = Interlocked.Or(ref *word, 1) | 1;
            LibC.FutexSyscall(LibC.SYS_futex, word, LibC.FUTEX_WAIT, announced, null, 0, 0);
        })
        { IsBackground = true };
        dyingConsumer.Start();
        try
        {
            RegionView.WaitUntil(() => IsInFutexWait($"/proc/self/task/{Volatile.Read(ref dyingWaiterThread)}"), "the dying consumer sleeps on ItemsFutex");
            using var survivor = PeerProcess.Start("get-one", _name, "3");
            RegionView.WaitUntil(() => region.GetWaiters == 1 && IsInFutexWait($"/proc/{survivor.Id}"), "the surviving consumer sleeps behind it");

            queue.Put(new Numbered(1, 7, 0));

            // Its bounded sleep (200 ms) brings the item even without a wake; only a stranded item never arrives.
            Assert.Equal("got 1 7", survivor.WaitForSuccess(TimeSpan.FromSeconds(30)).Trim());
        }
        finally
        {
            // Whatever the queue did, the stand-in thread must be gone before the mapping it sleeps on is unmapped.
            Interlocked.Add(ref *word, 2);
            LibC.FutexSyscall(LibC.SYS_futex, word, LibC.FUTEX_WAKE, int.MaxValue, null, 0, 0);
            dyingConsumer.Join(TimeSpan.FromSeconds(30));
        }
    }

    /// <summary>
    /// A consumer SIGKILLed while asleep leaves its announcement behind; the next put pays one wake that finds
    /// nobody, clears the announcement, and later puts and gets make no syscall for it.
    /// </summary>
    [Fact]
    public void A_consumer_killed_asleep_leaves_no_syscall_behind_per_operation()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 3);
        using var region = new RegionView(_name);
        using (var sleeper = PeerProcess.Start("get-one", _name, "3"))
        {
            RegionView.WaitUntil(() => region.GetWaiters == 1 && IsInFutexWait($"/proc/{sleeper.Id}"), "the consumer sleeps in the kernel");
            Assert.True(region.SleepersAnnounced(consumers: true));
            sleeper.Kill();
        }

        queue.Put(new Numbered(1, 1, 0));
        Assert.False(region.SleepersAnnounced(consumers: true));

        queue.Put(new Numbered(1, 2, 0));
        Assert.Equal(1, queue.Get().Sequence);
        Assert.Equal(2, queue.Get().Sequence);
        Assert.False(region.SleepersAnnounced(consumers: true));
        Assert.False(region.SleepersAnnounced(consumers: false));
    }

    private static bool IsInFutexWait(string procTask)
    {
        try
        {
            return File.ReadAllText($"{procTask}/syscall").StartsWith($"{LibC.SYS_futex} ", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();
}
