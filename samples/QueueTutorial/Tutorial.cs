using TypedIpc;
using TypedIpc.Samples;

namespace QueueTutorial;

/// <summary>
/// Replays the Python <c>multiprocessing.Queue</c> tutorial step by step on the generated
/// <see cref="TutorialMessageQueue"/>, with a helper process on the other side of the queue.
/// </summary>
internal static class Tutorial
{
    private static readonly TimeSpan ThreeSeconds = TimeSpan.FromSeconds(3);

    /// <summary>How long the helper lets the tutorial's 4th put block before it gets an item.</summary>
    private static readonly TimeSpan BlockedPutPause = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan HelperDeadline = TimeSpan.FromSeconds(60);

    public static int Run(TextWriter output)
    {
        string queueName = RunQueues.UniqueName("queue-tutorial");
        try
        {
            using var queues = new TutorialQueues(queueName);
            using RoleProcess helper = RoleProcess.Start(Helper.Role, queueName);
            output.WriteLine("TypedIpc replays Python's multiprocessing.Queue tutorial with two processes:");
            output.WriteLine($"this one (pid {Environment.ProcessId}) and a helper (pid {helper.Id}), sharing queue '{queueName}'.");

            var transcript = new Transcript(output, queues.Queue);
            PutAndGetBlockingByDefault(transcript, queues, helper.Id);
            PutAndGetWithTimeouts(transcript, queues.Queue);
            PutAndGetWithoutBlocking(transcript, queues.Queue);
            PutAndGetNowait(transcript, queues.Queue);

            helper.WaitForSuccess(HelperDeadline);
            output.WriteLine();
            output.WriteLine("Every step behaved as the Python tutorial says.");
            return 0;
        }
        catch (TutorialStepFailedException e)
        {
            output.WriteLine($"   !!  FAILED: {e.Message}");
            return 1;
        }
        finally
        {
            TutorialQueues.Unlink(queueName);
        }
    }

    private static void PutAndGetBlockingByDefault(Transcript transcript, TutorialQueues queues, int helperId)
    {
        TutorialMessageQueue q = queues.Queue;
        transcript.Section("Queue(3): a FIFO shared by processes that holds at most 3 items");
        transcript.Code("q = Queue(3)", "var q = TutorialMessageQueue.Open(queueName);   // [IpcQueue(maxsize: 3)] on TutorialMessage");
        transcript.Result($"MaxSize {q.MaxSize}, Count {q.Count}");
        Transcript.Check(q.MaxSize == 3, $"expected MaxSize 3 but the generated queue has {q.MaxSize}");

        transcript.Run("q.put('first')", () => q.Put(new TextMessage("first")), expectedCount: 1);
        transcript.Run("q.put({'k': 'second'})", () => q.Put(new DictionaryMessage(new() { ["k"] = "second" })), expectedCount: 2);
        transcript.Run("q.put(['third'])", () => q.Put(new ListMessage(["third"])), expectedCount: 3);

        transcript.Section("A 4th put waits while the queue is full, until another process gets an item");
        TimeSpan blocked = transcript.Blocks(
            "q.put(4)   # the tutorial's program stops here: the queue is full",
            () => q.Put(new NumberMessage(4)),
            $"blocks; helper process {helperId} will get one item in {Transcript.Seconds(BlockedPutPause)}",
            arrangeRelease: () => queues.Requests.Put(new HelperRequest(BlockedPutPause)));
        HelperReport report = queues.Reports.Get(timeout: HelperDeadline);
        transcript.Result($"released after {Transcript.Seconds(blocked)}: helper process {report.ProcessId} got {report.ItemGot}");
        Transcript.Check(report.ItemGot == "'first'", $"the helper should have got 'first' (first in, first out) but got {report.ItemGot}");
        Transcript.Check(blocked >= BlockedPutPause, $"the put should have waited for the helper's get but returned after {Transcript.Seconds(blocked)}");

        transcript.Section("get returns the items in the order they were put (first in, first out)");
        transcript.Get("print(q.get())", () => q.Get(), "{'k': 'second'}");
        transcript.Get("print(q.get())", () => q.Get(), "['third']");
        transcript.Get("print(q.get())", () => q.Get(), "4");
    }

    private static void PutAndGetWithTimeouts(Transcript transcript, TutorialMessageQueue q)
    {
        transcript.Section("block=True, timeout=3: wait at most 3 s, then raise Full / Empty");
        transcript.Run("q.put('first', block=True, timeout=3)", () => q.Put(new TextMessage("first"), block: true, timeout: ThreeSeconds), expectedCount: 1);
        transcript.Run("q.put({'k': 'second'}, block=True, timeout=3)", () => q.Put(new DictionaryMessage(new() { ["k"] = "second" }), block: true, timeout: ThreeSeconds), expectedCount: 2);
        transcript.Run("q.put(['third'], block=True, timeout=3)", () => q.Put(new ListMessage(["third"]), block: true, timeout: ThreeSeconds), expectedCount: 3);
        transcript.Raises<QueueFullException>("q.put(4, block=True, timeout=3)   # raises queue.Full after 3 s", () => q.Put(new NumberMessage(4), block: true, timeout: ThreeSeconds), wait: ThreeSeconds);
        transcript.Get("print(q.get(block=True, timeout=3))", () => q.Get(block: true, timeout: ThreeSeconds), "'first'");
        transcript.Get("print(q.get(block=True, timeout=3))", () => q.Get(block: true, timeout: ThreeSeconds), "{'k': 'second'}");
        transcript.Get("print(q.get(block=True, timeout=3))", () => q.Get(block: true, timeout: ThreeSeconds), "['third']");
        transcript.Raises<QueueEmptyException>("print(q.get(block=True, timeout=3))   # raises queue.Empty after 3 s", () => q.Get(block: true, timeout: ThreeSeconds), wait: ThreeSeconds);
    }

    private static void PutAndGetWithoutBlocking(Transcript transcript, TutorialMessageQueue q)
    {
        transcript.Section("block=False: a put on a full queue or a get on an empty one raises at once");
        transcript.Run("q.put('first', block=False)", () => q.Put(new TextMessage("first"), block: false), expectedCount: 1);
        transcript.Run("q.put({'k': 'second'}, block=False)", () => q.Put(new DictionaryMessage(new() { ["k"] = "second" }), block: false), expectedCount: 2);
        transcript.Run("q.put(['third'], block=False)", () => q.Put(new ListMessage(["third"]), block: false), expectedCount: 3);
        transcript.Raises<QueueFullException>("q.put(4, block=False)   # raises queue.Full at once", () => q.Put(new NumberMessage(4), block: false), wait: TimeSpan.Zero);
        transcript.Get("print(q.get(block=False))", () => q.Get(block: false), "'first'");
        transcript.Get("print(q.get(block=False))", () => q.Get(block: false), "{'k': 'second'}");
        transcript.Get("print(q.get(block=False))", () => q.Get(block: false), "['third']");
        transcript.Raises<QueueEmptyException>("print(q.get(block=False))   # raises queue.Empty at once", () => q.Get(block: false), wait: TimeSpan.Zero);
    }

    private static void PutAndGetNowait(Transcript transcript, TutorialMessageQueue q)
    {
        transcript.Section("put_nowait / get_nowait: the same as block=False");
        transcript.Run("q.put_nowait('first')", () => q.PutNowait(new TextMessage("first")), expectedCount: 1);
        transcript.Run("q.put_nowait(2)", () => q.PutNowait(new NumberMessage(2)), expectedCount: 2);
        transcript.Run("q.put_nowait(3)", () => q.PutNowait(new NumberMessage(3)), expectedCount: 3);
        transcript.Raises<QueueFullException>("q.put_nowait(4)   # raises queue.Full at once", () => q.PutNowait(new NumberMessage(4)), wait: TimeSpan.Zero);
        transcript.Get("print(q.get_nowait())", () => q.GetNowait(), "'first'");
        transcript.Get("print(q.get_nowait())", () => q.GetNowait(), "2");
        transcript.Get("print(q.get_nowait())", () => q.GetNowait(), "3");
        transcript.Raises<QueueEmptyException>("print(q.get_nowait())   # raises queue.Empty at once", () => q.GetNowait(), wait: TimeSpan.Zero);
    }
}
