using System.Diagnostics;

namespace FilePaths;

/// <summary>A consumer process: takes file paths off the job queue, checks each file, and reports back.</summary>
internal static class Consumer
{
    public const string Role = "consumer";

    /// <summary>How long a consumer waits on the producer before deciding it has died.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static int Run(string runName, int consumerNumber)
    {
        using var queues = new FileQueues(runName);
        for (FileJob job = queues.Jobs.Get(timeout: Patience); !job.IsNoMoreFiles; job = queues.Jobs.Get(timeout: Patience))
        {
            var clock = Stopwatch.StartNew();
            bool matches = new FileInfo(job.Path).Length == job.Length && Checksum.OfFile(job.Path) == job.Sha256;
            var report = new FileReport(consumerNumber, Environment.ProcessId, job.Path, matches, clock.Elapsed.TotalMilliseconds);
            queues.Reports.Put(report, timeout: Patience);
        }

        return 0;
    }
}
