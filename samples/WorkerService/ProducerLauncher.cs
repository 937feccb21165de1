using Microsoft.Extensions.Hosting;
using TypedIpc.Samples;

namespace WorkerService;

/// <summary>Starts the producer, another process that puts the jobs, once the worker's host has started.</summary>
internal sealed class ProducerLauncher(QueueRun run, JobLedger ledger) : IHostedService
{
    private RoleProcess? _producer;

    public int ProducerId { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        ledger.Expected = Producer.JobCount;
        _producer = RoleProcess.Start(Producer.Role, run.QueueName);
        ProducerId = _producer.Id;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        using RoleProcess? producer = _producer;
        producer?.WaitForSuccess(TimeSpan.FromSeconds(60));
        return Task.CompletedTask;
    }
}

/// <summary>The name of this run's queue: unique, so that two runs at once never share it.</summary>
internal sealed record QueueRun(string QueueName);
