using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using BenchmarkJob = BenchmarkDotNet.Jobs.Job;

namespace TypedIpc.Benchmarks;

/// <summary>
/// Bytes allocated by one Put and one Get in the same process, measured by BenchmarkDotNet's MemoryDiagnoser:
/// Put serializes into the slot, Get deserializes from it.
/// </summary>
[MemoryDiagnoser]
public class AllocationBenchmarks
{
    private readonly string _tickQueueName = $"bench-alloc-tick-{Guid.NewGuid():N}";
    private readonly string _jobQueueName = $"bench-alloc-job-{Guid.NewGuid():N}";
    private readonly Tick _tick = Tick.Create(1, 0);
    private readonly Job _job = Job.Create(1, 0);
    private SharedQueue<Tick>? _ticks;
    private SharedQueue<Job>? _jobs;

    [GlobalSetup]
    public void OpenQueues()
    {
        _ticks = SharedQueue<Tick>.Open(_tickQueueName, 1024);
        _jobs = SharedQueue<Job>.Open(_jobQueueName, 1024);
    }

    [GlobalCleanup]
    public void RemoveQueues()
    {
        _ticks?.Dispose();
        _jobs?.Dispose();
        SharedQueue<Tick>.Unlink(_tickQueueName);
        SharedQueue<Job>.Unlink(_jobQueueName);
    }

    [Benchmark]
    public Tick PutGetTick()
    {
        _ticks!.Put(_tick);
        return _ticks.Get();
    }

    [Benchmark]
    public Job PutGetJob()
    {
        _jobs!.Put(_job);
        return _jobs.Get();
    }

    /// <summary>Runs the benchmarks in this process and returns one JSON line per benchmark.</summary>
    public static string Run(bool smoke)
    {
        string artifacts = Path.Combine(Path.GetTempPath(), $"typedipc-bdn-{Guid.NewGuid():N}");
        BenchmarkJob job = (smoke ? BenchmarkJob.Dry : BenchmarkJob.ShortRun).WithToolchain(InProcessEmitToolchain.Instance);
        IConfig config = ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddLogger(new TextLogger(Console.Error))
            .WithArtifactsPath(artifacts);
        try
        {
            Summary summary = BenchmarkRunner.Run<AllocationBenchmarks>(config);
            var lines = summary.Reports.Select(report => JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["peer"] = "typedipc",
                ["mode"] = "allocations",
                ["benchmark"] = report.BenchmarkCase.Descriptor.WorkloadMethod.Name,
                ["bytes_per_put_get"] = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase),
                ["ns_per_put_get"] = report.ResultStatistics?.Median,
            }));
            return string.Join(Environment.NewLine, lines);
        }
        finally
        {
            if (Directory.Exists(artifacts))
            {
                Directory.Delete(artifacts, recursive: true);
            }
        }
    }
}
