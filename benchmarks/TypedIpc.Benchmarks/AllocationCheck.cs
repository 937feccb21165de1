using System.Text.Json;

namespace TypedIpc.Benchmarks;

/// <summary>
/// The allocation promises of the README, asserted: one Put + Get of an unmanaged struct allocates 0 bytes, and of a
/// class message exactly the bytes of the message Get returns (here a Job and its string). Counted with
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/> over many calls, which is exact, so the check cannot flake.
/// </summary>
public static class AllocationCheck
{
    private const int Calls = 100_000;

    /// <summary>Prints one JSON line per message kind; returns 0 when both promises hold, else 1 with the reason on stderr.</summary>
    public static int Run()
    {
        Tick tick = Tick.Create(1, 0);
        Job job = Job.Create(1, 0);
        long tickBytes = BytesPerCall<Tick>(queue => queue.Put(tick), queue => queue.Get());
        long jobBytes = BytesPerCall<Job>(queue => queue.Put(job), queue => queue.Get());
        long jobOwnBytes = BytesPerCall(() => new Job(new string(job.Path.AsSpan()), job.Priority));
        Console.WriteLine(Line("PutGetTick", tickBytes, expected: 0));
        Console.WriteLine(Line("PutGetJob", jobBytes, expected: jobOwnBytes));

        var failures = new List<string>();
        if (tickBytes != 0)
        {
            failures.Add($"Put + Get of the unmanaged Tick allocated {tickBytes} B per call; the README promises 0 B.");
        }

        if (jobBytes != jobOwnBytes)
        {
            failures.Add($"Put + Get of a Job allocated {jobBytes} B per call; only the Job and its string ({jobOwnBytes} B) may be allocated.");
        }

        failures.ForEach(Console.Error.WriteLine);
        return failures.Count == 0 ? 0 : 1;
    }

    private static long BytesPerCall<T>(Action<SharedQueue<T>> put, Func<SharedQueue<T>, T> get)
    {
        string name = $"bench-alloc-check-{Guid.NewGuid():N}";
        try
        {
            using var queue = SharedQueue<T>.Open(name, maxsize: 1024);
            return BytesPerCall(() =>
            {
                put(queue);
                return get(queue);
            });
        }
        finally
        {
            SharedQueue<T>.Unlink(name);
        }
    }

    // The first round warms up (JIT tiers, the serialization buffer); the second is counted.
    private static long BytesPerCall<T>(Func<T> call)
    {
        long allocated = 0;
        for (int round = 0; round < 2; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < Calls; i++)
            {
                GC.KeepAlive(call());
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        // Rounded down: an allocation made on every call (24 B at least) shows, a one-off one in 100,000 calls does not.
        return allocated / Calls;
    }

    private static string Line(string benchmark, long bytes, long expected) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["peer"] = "typedipc",
        ["mode"] = "allocation-check",
        ["benchmark"] = benchmark,
        ["bytes_per_put_get"] = bytes,
        ["expected_bytes"] = expected,
    });
}
