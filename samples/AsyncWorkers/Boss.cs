using System.Diagnostics;
using TypedIpc;
using TypedIpc.Samples;

namespace AsyncWorkers;

/// <summary>
/// Python's asyncio-queue example ("distribute workload between several concurrent tasks") with processes for tasks:
/// start the workers, put the jobs, wait for every one to be done (JoinAsync), then shut the queue down so that the
/// workers' loops end.
/// </summary>
internal static class Boss
{
    private const int Workers = 3;
    private const int Jobs = 20;
    private static readonly TimeSpan WorkerExitTimeout = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        string queueName = RunQueues.UniqueName("AsyncWorkers");
        output.WriteLine($"{Workers} worker processes take {Jobs} jobs from the joinable queue '{queueName}' (maxsize {SleepJobQueue.DefaultMaxSize}).");
        try
        {
            using SleepJobQueue jobs = SleepJobQueue.Open(queueName);
            var workers = new List<RoleProcess>();
            try
            {
                for (int i = 0; i < Workers; i++)
                {
                    workers.Add(RoleProcess.Start(Worker.Role, queueName, $"{i}"));
                }

                double totalSleep = 0;
                long startedAt = Stopwatch.GetTimestamp();
                for (int i = 0; i < Jobs; i++)
                {
                    double seconds = Math.Round(Random.Shared.NextDouble() * 0.25 + 0.05, 2);
                    totalSleep += seconds;
                    await jobs.PutAsync(new SleepJob(i, seconds), cancellationToken: cancellationToken); // waits while 3 jobs wait
                }

                await jobs.JoinAsync(cancellationToken);
                TimeSpan sleptFor = Stopwatch.GetElapsedTime(startedAt);
                output.WriteLine("Every job is done (JoinAsync returned): shutting the queue down.");
                jobs.Shutdown();
                foreach (RoleProcess worker in workers)
                {
                    worker.WaitForSuccess(WorkerExitTimeout);
                }

                output.WriteLine("====");
                output.WriteLine(FormattableString.Invariant($"{Workers} workers slept in parallel for {sleptFor.TotalSeconds:0.00} seconds (their start-up included)"));
                output.WriteLine(FormattableString.Invariant($"total expected sleep time: {totalSleep:0.00} seconds"));
                return 0;
            }
            catch (OperationCanceledException)
            {
                output.WriteLine("Stopped by Ctrl+C: the jobs left are discarded.");
                jobs.Shutdown(immediate: true);
                return 1;
            }
            catch (QueueTasksAbandonedException abandoned)
            {
                output.WriteLine($"{abandoned.AbandonedTasks} jobs died with a worker: {abandoned.Message}");
                jobs.Shutdown(immediate: true);
                return 1;
            }
            finally
            {
                workers.ForEach(worker => worker.Dispose());
            }
        }
        finally
        {
            RunQueues.Remove(() => SleepJobQueue.Unlink(queueName));
        }
    }
}
