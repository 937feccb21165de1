namespace WorkerService;

/// <summary>The producer process: opens the worker's queue by name and puts the jobs; a put waits while the queue is full.</summary>
internal static class Producer
{
    public const string Role = "produce";
    public const int JobCount = 40;

    public static int Run(string queueName)
    {
        using ResizeJobQueue queue = ResizeJobQueue.Open(queueName);
        for (int id = 1; id <= JobCount; id++)
        {
            queue.Put(new ResizeJob(id, $"/srv/images/photo-{id:000}.jpg", Width: 320));
        }

        Console.WriteLine($"Producer (pid {Environment.ProcessId}) put {JobCount} jobs on '{queueName}'.");
        return 0;
    }
}
