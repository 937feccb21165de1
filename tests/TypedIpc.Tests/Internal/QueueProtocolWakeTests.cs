using System.Runtime.InteropServices;
using TypedIpc.Internal;
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
    /// that wake to a process that will never use it. The test plays that consumer with a raw futex wait (the
    /// waiter-count increment and FUTEX_WAIT a sleeping Get makes) that ends without retrying, queued in the kernel
    /// before a real consumer in a child process. The item must still reach the child.
    /// </summary>
    [Fact]
    public void An_item_is_not_stranded_when_the_consumer_woken_for_it_dies_before_retrying()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 3);
        using var region = new RegionView(_name);
        int* word = &region.Header->ItemsPublished;
        int dyingWaiterThread = 0;
        var dyingConsumer = new Thread(() =>
        {
            Volatile.Write(ref dyingWaiterThread, GetThreadId());
            Interlocked.Increment(ref region.Header->GetWaiters);
            LibC.FutexSyscall(LibC.SYS_futex, word, LibC.FUTEX_WAIT, Volatile.Read(ref *word), null, 0, 0);
            Interlocked.Decrement(ref region.Header->GetWaiters);
        })
        { IsBackground = true };
        dyingConsumer.Start();
        try
        {
            RegionView.WaitUntil(() => IsInFutexWait($"/proc/self/task/{Volatile.Read(ref dyingWaiterThread)}"), "the dying consumer sleeps on ItemsPublished");
            using var survivor = PeerProcess.Start("get-one", _name, "3");
            RegionView.WaitUntil(() => region.GetWaiters == 2 && IsInFutexWait($"/proc/{survivor.Id}"), "the surviving consumer sleeps behind it");

            queue.Put(new Numbered(1, 7, 0));

            Assert.Equal("got 1 7", survivor.WaitForSuccess(TimeSpan.FromSeconds(5)).Trim());
        }
        finally
        {
            // Whatever the queue did, the stand-in thread must be gone before the mapping it sleeps on is unmapped.
            Interlocked.Increment(ref *word);
            LibC.FutexSyscall(LibC.SYS_futex, word, LibC.FUTEX_WAKE, int.MaxValue, null, 0, 0);
            dyingConsumer.Join(TimeSpan.FromSeconds(30));
        }
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
