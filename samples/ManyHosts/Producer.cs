using System.Globalization;
using System.Security.Cryptography;
using FilePaths;
using TypedIpc.Samples;

namespace ManyHosts;

/// <summary>
/// The producer "host": writes files, puts their paths on the job queue for two consumer processes, and collects
/// their reports. The three processes share nothing but the queues' backend.
/// </summary>
internal static class Producer
{
    private const int FileCount = 12;
    private const int FileBytes = 256 << 10;
    private const int ConsumerCount = 2;

    private static readonly TimeSpan ConsumerDeadline = TimeSpan.FromSeconds(60);

    public static async Task<int> Run(TextWriter output, Backend backend)
    {
        string runName = TypedIpc.Samples.RunQueues.UniqueName("many-hosts");
        DirectoryInfo directory = Directory.CreateTempSubdirectory("typedipc-many-hosts-");
        var consumers = new List<RoleProcess>();
        try
        {
            await using RunQueues queues = await RunQueues.OpenAsync(backend, runName);
            for (int number = 1; number <= ConsumerCount; number++)
            {
                consumers.Add(RoleProcess.Start(Consumer.Role, backend.ToString(), runName, number.ToString(CultureInfo.InvariantCulture)));
            }

            output.WriteLine($"Producer (pid {Environment.ProcessId}) and consumers (pids {string.Join(", ", consumers.Select(consumer => consumer.Id))}) " +
                $"share the queues '{runName}.jobs' and '{runName}.reports' through {Describe(backend)}.");

            var jobs = new Dictionary<string, FileJob>();
            byte[] data = new byte[FileBytes];
            for (int index = 1; index <= FileCount; index++)
            {
                string path = Path.Combine(directory.FullName, $"data-{index}.bin");
                RandomNumberGenerator.Fill(data);
                await File.WriteAllBytesAsync(path, data);
                var job = new FileJob(path, FileBytes, Checksum.OfFile(path));
                queues.Jobs.Put(job);
                jobs.Add(path, job);
            }

            output.WriteLine($"put  {FileCount} file jobs");
            var reports = new List<FileReport>();
            while (reports.Count < jobs.Count)
            {
                FileReport report = queues.Reports.Get(timeout: ConsumerDeadline);
                reports.Add(report);
                output.WriteLine($"got  consumer {report.ConsumerNumber} ({report.Host}) checked {Path.GetFileName(report.Path)}: " +
                    (report.ChecksumMatches ? "checksum ok" : "CHECKSUM MISMATCH"));
            }

            for (int stopped = 0; stopped < consumers.Count; stopped++)
            {
                queues.Jobs.Put(FileJob.NoMoreFiles);
            }

            foreach (RoleProcess consumer in consumers)
            {
                consumer.WaitForSuccess(ConsumerDeadline);
            }

            bool everyFileOnce = reports.Select(report => report.Path).Order().SequenceEqual(jobs.Keys.Order());
            bool bothWorked = reports.Select(report => report.ConsumerNumber).Distinct().Count() == ConsumerCount;
            if (everyFileOnce && reports.All(report => report.ChecksumMatches))
            {
                output.WriteLine($"All {jobs.Count} files were checked exactly once, by {(bothWorked ? "both consumers" : "one consumer")}, through {Describe(backend)}.");
                return 0;
            }

            output.WriteLine(everyFileOnce ? "FAILED: some files did not match their checksum." : "FAILED: the files were not each checked exactly once.");
            return 1;
        }
        finally
        {
            consumers.ForEach(consumer => consumer.Dispose());
            await RunQueues.RemoveAsync(backend, runName);
            directory.Delete(recursive: true);
        }
    }

    private static string Describe(Backend backend) => backend.NatsUrl is null ? "shared memory" : $"NATS JetStream at {backend.NatsUrl}";
}
