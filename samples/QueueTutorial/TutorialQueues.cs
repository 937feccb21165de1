using TypedIpc.Samples;

namespace QueueTutorial;

/// <summary>
/// The queues both processes open under one run's name: the tutorial's own queue, and the pair the tutorial
/// process and its helper process talk through.
/// </summary>
internal sealed class TutorialQueues(string name) : IDisposable
{
    public TutorialMessageQueue Queue { get; } = TutorialMessageQueue.Open(name);

    public HelperRequestQueue Requests { get; } = HelperRequestQueue.Open(RequestsName(name));

    public HelperReportQueue Reports { get; } = HelperReportQueue.Open(ReportsName(name));

    public static void Unlink(string name) => RunQueues.Remove(
        () => TutorialMessageQueue.Unlink(name),
        () => HelperRequestQueue.Unlink(RequestsName(name)),
        () => HelperReportQueue.Unlink(ReportsName(name)));

    public void Dispose()
    {
        Queue.Dispose();
        Requests.Dispose();
        Reports.Dispose();
    }

    private static string RequestsName(string name) => $"{name}.requests";

    private static string ReportsName(string name) => $"{name}.reports";
}
