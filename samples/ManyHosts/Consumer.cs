using FilePaths;
using TypedIpc;

namespace ManyHosts;

/// <summary>
/// A consumer "host". <see cref="Work"/> knows only <see cref="IIpcQueue{T}"/>: the same code runs on shared memory
/// (processes of one machine) and on NATS JetStream (processes of many machines); only <see cref="Run"/>, where the
/// queues are opened, says which.
/// </summary>
internal static class Consumer
{
    public const string Role = "consumer";

    /// <summary>How long a consumer waits on the producer before deciding it has died.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static async Task<int> Run(Backend backend, string runName, int consumerNumber)
    {
        await using RunQueues queues = await RunQueues.OpenAsync(backend, runName);
        Work(queues.Jobs, queues.Reports, consumerNumber);
        return 0;
    }

    public static void Work(IIpcQueue<FileJob> jobs, IIpcQueue<FileReport> reports, int consumerNumber)
    {
        string host = $"{Environment.MachineName}/pid {Environment.ProcessId}";
        for (FileJob job = jobs.Get(timeout: Patience); !job.IsNoMoreFiles; job = jobs.Get(timeout: Patience))
        {
            bool matches = new FileInfo(job.Path).Length == job.Length && Checksum.OfFile(job.Path) == job.Sha256;
            reports.Put(new FileReport(consumerNumber, host, job.Path, matches), timeout: Patience);
        }
    }
}
