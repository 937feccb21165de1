using System.Diagnostics;
using System.Runtime.InteropServices;
using TypedIpc.Tests.Support;

namespace TypedIpc.Tests;

/// <summary>
/// Attaching: instances nobody disposed give their process-table entry back when collected, creators racing for
/// one name all attach, and whatever else is planted at a queue's name is refused quickly, never waited on.
/// </summary>
public sealed partial class SharedQueueAttachTests : IDisposable
{
    // Opening a planted file must fail at the first look, not wait on it. The bound only tells "at once" from "waited":
    // 10 s is beyond any cold start of the open path on a loaded machine (the run's parallel test projects have kept
    // threads waiting past 600 ms), and far from a hang.
    private static readonly TimeSpan PromptRefusal = TimeSpan.FromSeconds(10);
    private readonly TestQueueName _name = new("attach");

    public void Dispose() => _name.Dispose();

    [Fact]
    public void Opening_a_queue_1500_times_without_Dispose_keeps_working_once_the_GC_collects()
    {
        for (int i = 0; i < 1_500; i++)
        {
            OpenAndDrop(_name, i);
            if (i % 100 == 99)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }

        using var queue = SharedQueue<int>.Open(_name, maxsize: 4);
        queue.Put(1);
        Assert.Equal(1, queue.Get());
    }

    [Fact]
    public void Sixteen_processes_racing_to_create_twenty_new_queues_all_attach()
    {
        string[] names = Enumerable.Range(0, 20).Select(i => $"{_name.Value}.{i}").ToArray();
        var racers = new List<PeerProcess>();
        try
        {
            for (int i = 0; i < 16; i++)
            {
                racers.Add(PeerProcess.Start(["race-open", .. names]));
            }

            foreach (PeerProcess racer in racers)
            {
                Assert.Equal("opened 20", racer.WaitForSuccess(TimeSpan.FromMinutes(2)).Trim());
            }

            foreach (string name in names)
            {
                using var queue = SharedQueue<int>.Open(name, 64);
                Assert.Equal(16, queue.Count);
            }

            Assert.Empty(Directory.EnumerateFiles("/dev/shm", $".typedipc.{_name.Value}.*"));
        }
        finally
        {
            racers.ForEach(racer => racer.Dispose());
            foreach (string name in names)
            {
                File.Delete($"/dev/shm/typedipc.{name}");
            }
        }
    }

    [Fact]
    public void A_FIFO_at_the_queue_path_is_refused_at_once()
    {
        Assert.Equal(0, MakeFifo(_name.Path, 0x1B6));

        AssertRefusedPromptly("is not a regular file");
    }

    [Fact]
    public void A_directory_at_the_queue_path_is_refused_at_once()
    {
        Directory.CreateDirectory(_name.Path);
        try
        {
            AssertRefusedPromptly("is not a regular file");
        }
        finally
        {
            Directory.Delete(_name.Path);
        }
    }

    private void AssertRefusedPromptly(string expected)
    {
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<SharedMemoryException>(() => SharedQueue<int>.Open(_name, maxsize: 1));

        Assert.True(clock.Elapsed < PromptRefusal, $"refusing took {clock.Elapsed}");
        Assert.Contains(expected, error.Message);
        Assert.Contains($"rm -r {_name.Path}", error.Message);
    }

    private static void OpenAndDrop(string name, int item)
    {
        var queue = SharedQueue<int>.Open(name, maxsize: 4);
        queue.TryPut(item);
        queue.TryGet(out _);
    }

    [LibraryImport("libc", EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MakeFifo(string path, int mode);
}
