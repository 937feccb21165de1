namespace QueueTutorial;

/// <summary>
/// The second process of the tutorial. When the tutorial process asks, it gets one item from the full queue, which
/// releases the tutorial's blocked 4th put, and reports what it got.
/// </summary>
internal static class Helper
{
    public const string Role = "helper";

    /// <summary>How long the helper waits for the tutorial process before deciding it has died.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static int Run(string queueName)
    {
        using var queues = new TutorialQueues(queueName);
        HelperRequest request = queues.Requests.Get(timeout: Patience);

        // Not synchronization (the queues do that): a pause long enough to watch the tutorial's put block.
        Thread.Sleep(request.PauseBeforeGet);

        TutorialMessage item = queues.Queue.Get(timeout: Patience);
        queues.Reports.Put(new HelperReport(Environment.ProcessId, item.ToPython()), timeout: Patience);
        return 0;
    }
}
