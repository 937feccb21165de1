namespace AsyncWorkers;

/// <summary>
/// A worker process: takes jobs as they come, sleeps each one's time and marks it done, until the boss shuts the queue
/// down; Python's <c>worker()</c> coroutine, in a process of its own.
/// </summary>
internal static class Worker
{
    public const string Role = "worker";

    public static async Task<int> RunAsync(string queueName, int number, CancellationToken cancellationToken)
    {
        using SleepJobQueue jobs = SleepJobQueue.Open(queueName);
        int done = 0;
        try
        {
            // Ends when the boss calls Shutdown and the queue is drained.
            await foreach (SleepJob job in jobs.ReadAllAsync(cancellationToken))
            {
                await Task.Delay(TimeSpan.FromSeconds(job.Seconds), cancellationToken);
                // Reported before TaskDone: once the last job is marked done the boss's JoinAsync returns, and its
                // output must come after every worker's.
                Console.WriteLine(FormattableString.Invariant($"worker-{number} has slept for {job.Seconds:0.00} seconds (job {job.Number})"));
                done++;
                jobs.TaskDone();
            }
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine($"worker-{number}: stopped by Ctrl+C after {done} jobs");
            return 1;
        }

        Console.WriteLine($"worker-{number}: the queue was shut down; {done} jobs done");
        return 0;
    }
}
