using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using TypedIpc.Hosting;
using TypedIpc.Samples;
using WorkerService;

// `dotnet run` starts the worker: a Generic Host whose hosted consumer handles the jobs that a producer process puts.
// The worker starts that producer itself, as this program again in the produce role.
if (args is [Producer.Role, string queueName])
{
    return Producer.Run(queueName);
}

if (args.Length > 0)
{
    Console.Error.WriteLine("usage: dotnet run --project samples/WorkerService   (no arguments; the produce role is for the worker's own child process)");
    return 2;
}

var run = new QueueRun(RunQueues.UniqueName("worker-service"));
try
{
    HostApplicationBuilder builder = Host.CreateApplicationBuilder();
    builder.Services.AddSingleton(run);
    builder.Services.AddSingleton<JobLedger>();

    // The queue: opened once, a singleton the host disposes; also resolvable as IIpcQueue<ResizeJob>.
    builder.Services.AddIpcQueue<ResizeJobQueue>(run.QueueName);
    // The consumer: four jobs at a time, each in a scope of its own; on stop, the jobs in hand finish and the rest stay queued.
    builder.Services.AddIpcConsumer<ResizeJob, ResizeJobHandler>(options => options.MaxConcurrency = 4);
    builder.Services.AddHealthChecks().AddIpcQueueHealthCheck<ResizeJob>(options => options.MaxFullDuration = TimeSpan.FromSeconds(30));
    builder.Services.AddSingleton<ProducerLauncher>();
    builder.Services.AddHostedService(services => services.GetRequiredService<ProducerLauncher>());

    using IHost host = builder.Build();
    await host.StartAsync();
    HealthReport health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
    Console.WriteLine($"Worker (pid {Environment.ProcessId}) consuming '{run.QueueName}'; health: {health.Status}.");
    await host.WaitForShutdownAsync();

    (int handled, int twice) = host.Services.GetRequiredService<JobLedger>().Tally();
    int producer = host.Services.GetRequiredService<ProducerLauncher>().ProducerId;
    if (handled != Producer.JobCount || twice != 0)
    {
        Console.Error.WriteLine($"Handled {handled} of {Producer.JobCount} jobs, {twice} of them more than once.");
        return 1;
    }

    Console.WriteLine($"All {Producer.JobCount} jobs that producer process {producer} put were handled exactly once by worker process {Environment.ProcessId}.");
    return 0;
}
finally
{
    RunQueues.Remove(() => ResizeJobQueue.Unlink(run.QueueName));
}
