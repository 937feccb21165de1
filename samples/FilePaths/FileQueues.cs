using TypedIpc.Samples;

namespace FilePaths;

/// <summary>The two queues of one run, opened by the producer and by every consumer: jobs out, reports back.</summary>
internal sealed class FileQueues(string runName) : IDisposable
{
    public FileJobQueue Jobs { get; } = FileJobQueue.Open(JobsName(runName));

    public FileReportQueue Reports { get; } = FileReportQueue.Open(ReportsName(runName));

    public static void Unlink(string runName) => RunQueues.Remove(
        () => FileJobQueue.Unlink(JobsName(runName)),
        () => FileReportQueue.Unlink(ReportsName(runName)));

    public void Dispose()
    {
        Jobs.Dispose();
        Reports.Dispose();
    }

    private static string JobsName(string runName) => $"{runName}.jobs";

    private static string ReportsName(string runName) => $"{runName}.reports";
}
