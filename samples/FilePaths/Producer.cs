using System.Globalization;
using System.Security.Cryptography;
using MemoryPack;
using TypedIpc.Samples;

namespace FilePaths;

/// <summary>
/// The producer process: writes big files, puts their paths on the job queue for two consumer processes, and
/// collects what the consumers report.
/// </summary>
internal static class Producer
{
    private const int FileCount = 6;
    private const int FileBytes = 8 << 20;
    private const int ConsumerCount = 2;

    private static readonly TimeSpan ConsumerDeadline = TimeSpan.FromSeconds(60);

    public static int Run(TextWriter output)
    {
        string runName = RunQueues.UniqueName("file-paths");
        DirectoryInfo directory = Directory.CreateTempSubdirectory("typedipc-file-paths-");
        var consumers = new List<RoleProcess>();
        try
        {
            using var queues = new FileQueues(runName);
            for (int number = 1; number <= ConsumerCount; number++)
            {
                consumers.Add(RoleProcess.Start(Consumer.Role, runName, number.ToString(CultureInfo.InvariantCulture)));
            }

            output.WriteLine($"Producer (pid {Environment.ProcessId}) and consumers (pids {string.Join(", ", consumers.Select(consumer => consumer.Id))}) share the queues");
            output.WriteLine($"'{runName}.jobs' (file paths out) and '{runName}.reports' (results back).");
            output.WriteLine($"Each file stays on disk in {directory.FullName}; only its path goes through the queue.");
            output.WriteLine();

            Dictionary<string, FileJob> jobs = PutFileJobs(output, queues.Jobs, directory.FullName);
            List<FileReport> reports = CollectReports(output, queues.Reports, jobs);

            for (int stopped = 0; stopped < consumers.Count; stopped++)
            {
                queues.Jobs.Put(FileJob.NoMoreFiles);
            }

            foreach (RoleProcess consumer in consumers)
            {
                consumer.WaitForSuccess(ConsumerDeadline);
            }

            return Summarize(output, jobs, reports);
        }
        finally
        {
            consumers.ForEach(consumer => consumer.Dispose());
            FileQueues.Unlink(runName);
            directory.Delete(recursive: true);
        }
    }

    private static Dictionary<string, FileJob> PutFileJobs(TextWriter output, FileJobQueue queue, string directory)
    {
        var jobs = new Dictionary<string, FileJob>();
        byte[] data = new byte[FileBytes];
        for (int index = 1; index <= FileCount; index++)
        {
            string path = Path.Combine(directory, $"data-{index}.bin");
            RandomNumberGenerator.Fill(data);
            File.WriteAllBytes(path, data);

            var job = new FileJob(path, FileBytes, Checksum.OfFile(path));
            queue.Put(job);
            jobs.Add(path, job);
            output.WriteLine($"put  {Path.GetFileName(path)} ({FileBytes >> 20} MiB on disk) as a {MemoryPackSerializer.Serialize(job).Length}-byte message");
        }

        return jobs;
    }

    private static List<FileReport> CollectReports(TextWriter output, FileReportQueue queue, Dictionary<string, FileJob> jobs)
    {
        var reports = new List<FileReport>();
        while (reports.Count < jobs.Count)
        {
            FileReport report = queue.Get(timeout: ConsumerDeadline);
            reports.Add(report);
            string verdict = report.ChecksumMatches ? "checksum ok" : "CHECKSUM MISMATCH";
            output.WriteLine($"got  consumer {report.ConsumerNumber} (pid {report.ProcessId}) read {Path.GetFileName(report.Path)}: {verdict} ({report.Milliseconds:0} ms)");
        }

        return reports;
    }

    private static int Summarize(TextWriter output, Dictionary<string, FileJob> jobs, List<FileReport> reports)
    {
        bool everyFileOnce = reports.Select(report => report.Path).Order().SequenceEqual(jobs.Keys.Order());
        bool allMatch = reports.All(report => report.ChecksumMatches);
        output.WriteLine();
        if (everyFileOnce && allMatch)
        {
            output.WriteLine($"All {jobs.Count} files ({jobs.Count * (FileBytes >> 20)} MiB) were processed exactly once and verified.");
            return 0;
        }

        output.WriteLine(everyFileOnce ? "FAILED: some files did not match their checksum." : "FAILED: the files were not each processed exactly once.");
        return 1;
    }
}
