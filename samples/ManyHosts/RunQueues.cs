using NATS.Net;
using TypedIpc;
using TypedIpc.Nats;

namespace ManyHosts;

/// <summary>Where a run's queues live: one machine's shared memory, or a NATS server that any machine can reach.</summary>
/// <param name="NatsUrl">The server's URL; null for shared memory.</param>
internal sealed record Backend(string? NatsUrl)
{
    public const string SharedMemoryArgument = "shared-memory";

    public static Backend Parse(string argument) => argument == SharedMemoryArgument ? new Backend((string?)null) : new Backend(argument);

    public override string ToString() => NatsUrl ?? SharedMemoryArgument;
}

/// <summary>
/// The two queues of one run, opened by the producer and by every consumer: jobs out, reports back. This is the one
/// place that differs between the backends.
/// </summary>
internal sealed class RunQueues : IAsyncDisposable
{
    private const int MaxSize = 16;
    private readonly NatsClient? _client;

    private RunQueues(IIpcQueue<FileJob> jobs, IIpcQueue<FileReport> reports, NatsClient? client)
    {
        Jobs = jobs;
        Reports = reports;
        _client = client;
    }

    public IIpcQueue<FileJob> Jobs { get; }

    public IIpcQueue<FileReport> Reports { get; }

    public static async Task<RunQueues> OpenAsync(Backend backend, string runName)
    {
        if (backend.NatsUrl is null)
        {
            return new RunQueues(
                SharedQueue<FileJob>.Open(JobsName(runName), MaxSize),
                SharedQueue<FileReport>.Open(ReportsName(runName), MaxSize),
                client: null);
        }

        var client = new NatsClient(backend.NatsUrl);
        return new RunQueues(
            await NatsQueue<FileJob>.OpenAsync(client, JobsName(runName), MaxSize),
            await NatsQueue<FileReport>.OpenAsync(client, ReportsName(runName), MaxSize),
            client);
    }

    /// <summary>Removes the run's queues from shared memory or from the server.</summary>
    public static async Task RemoveAsync(Backend backend, string runName)
    {
        if (backend.NatsUrl is null)
        {
            TypedIpc.Samples.RunQueues.Remove(
                () => SharedQueue<FileJob>.Unlink(JobsName(runName)),
                () => SharedQueue<FileReport>.Unlink(ReportsName(runName)));
            return;
        }

        await using var client = new NatsClient(backend.NatsUrl);
        await NatsQueue<FileJob>.DeleteAsync(client, JobsName(runName));
        await NatsQueue<FileReport>.DeleteAsync(client, ReportsName(runName));
    }

    public async ValueTask DisposeAsync()
    {
        Jobs.Dispose();
        Reports.Dispose();
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }
    }

    private static string JobsName(string runName) => $"{runName}.jobs";

    private static string ReportsName(string runName) => $"{runName}.reports";
}
