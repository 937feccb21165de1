using System.Globalization;
using System.Text.RegularExpressions;
using TypedIpc.Samples.Tests.Support;

namespace TypedIpc.Samples.Tests;

/// <summary>
/// Builds the samples with the real compiler of this SDK and runs them as a user would. One class, so that xunit
/// runs these slow tests one after another and they share one build of each sample.
/// </summary>
public sealed class SampleTests(SampleBuilds builds) : IClassFixture<SampleBuilds>
{
    /// <summary>Roslyn's "analyzer could not be loaded" and "generator failed" diagnostics.</summary>
    private static readonly string[] GeneratorFailures = ["CS8032", "CS8784", "CS8785"];

    [Theory]
    [InlineData("QueueTutorial", "TutorialMessageQueue")]
    [InlineData("FilePaths", "FileJobQueue")]
    [InlineData("BigPayloads", "BlobFrameQueue")]
    [InlineData("MessageShapes", "IShapeQueue")]
    [InlineData("AsyncWorkers", "SleepJobQueue")]
    public void Sample_builds_with_the_generator_loaded_and_emits_its_queue_class(string sample, string queueClass)
    {
        BuiltSample built = BuiltSuccessfully(sample);

        foreach (string failure in GeneratorFailures)
        {
            Assert.False(built.Build.Output.Contains(failure, StringComparison.Ordinal), $"{failure} in {built.Build}");
        }

        string[] generatedByTypedIpc = Directory.Exists(built.GeneratedSourcesDirectory)
            ? Directory.GetFiles(built.GeneratedSourcesDirectory, "*.cs", SearchOption.AllDirectories)
                .Where(file => file.Contains($"{Path.DirectorySeparatorChar}TypedIpc.Generators{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                .ToArray()
            : [];
        Assert.Contains(generatedByTypedIpc, file => File.ReadAllText(file).Contains($"sealed partial class {queueClass}", StringComparison.Ordinal));
    }

    /// <summary>
    /// Every message shape, built with AnalysisLevel latest-all, documentation warnings and warnings as errors by the
    /// SDK's compiler at its newest language version: the generated code must not add a single warning.
    /// </summary>
    [Fact]
    public void MessageShapes_builds_without_a_warning_under_every_analyzer()
    {
        BuiltSample built = BuiltSuccessfully("MessageShapes");

        Assert.Matches(@"(?m)^\s*0 Warning\(s\)", built.Build.Output);
    }

    /// <summary>
    /// The same at the language versions between the newest that the generator tests' Roslyn 4.8 compiles (C# 12,
    /// checked there) and the SDK's newest (the build above).
    /// </summary>
    [Theory]
    [InlineData("13")]
    public void MessageShapes_builds_without_a_warning_under_every_analyzer_at_an_older_language_version(string languageVersion)
    {
        BuiltSample built = BuiltSuccessfully("MessageShapes", $"ShapesLangVersion={languageVersion}");

        Assert.Contains($"MessageShapes: LangVersion {languageVersion}", built.Build.Output, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^\s*0 Warning\(s\)", built.Build.Output);
    }

    [Fact]
    public void QueueTutorial_replays_the_tutorial_across_two_processes()
    {
        CommandResult run = BuiltSuccessfully("QueueTutorial").Run();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Every step behaved as the Python tutorial says.", run.Output);
        Assert.Matches(@"released after \d+\.\d\d s: helper process \d+ got 'first'", run.Output);
        AssertInOrder(run.Output, "->  {'k': 'second'}", "->  ['third']", "->  4");
        Assert.True(SecondsIn(run, @"QueueFullException after (\d+\.\d\d) s") >= 2.95, run.ToString());
        Assert.True(SecondsIn(run, @"QueueEmptyException after (\d+\.\d\d) s") >= 2.95, run.ToString());
        AssertNoQueueLeft(Capture(run, "sharing queue '([^']+)'"));
    }

    [Fact]
    public void FilePaths_moves_paths_not_data_from_a_producer_to_two_consumers()
    {
        CommandResult run = BuiltSuccessfully("FilePaths").Run();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("All 6 files (48 MiB) were processed exactly once and verified.", run.Output);
        Assert.Equal(6, Regex.Matches(run.Output, "checksum ok").Count);
        int[] messageBytes = Regex.Matches(run.Output, @"as a (\d+)-byte message").Select(match => int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(6, messageBytes.Length);
        Assert.All(messageBytes, bytes => Assert.InRange(bytes, 1, 1024));
        Assert.False(Directory.Exists(Capture(run, "stays on disk in ([^;]+);")), "the producer should delete its files");
        AssertNoQueueLeft(Capture(run, @"'([^']+)\.jobs' \(file paths out\)"));
    }

    [Fact]
    public void BigPayloads_moves_frames_as_blob_references_and_inline_and_prints_both_throughputs()
    {
        CommandResult run = BuiltSuccessfully("BigPayloads").Run();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Every frame arrived intact both ways.", run.Output);
        foreach (string size in new[] { "1 MiB", "2 MiB", "4 MiB", "8 MiB" })
        {
            Assert.Matches($@"{size} +\d+ +[\d,]+ +[\d,]+ +\d+\.\d\dx", run.Output);
        }

        AssertNoQueueLeft(Capture(run, @"'([^']+)\.blobs'"));
    }

    [Fact]
    public void AsyncWorkers_three_worker_processes_do_every_job_once_the_boss_joins_then_shuts_the_queue_down()
    {
        CommandResult run = BuiltSuccessfully("AsyncWorkers").Run();

        Assert.True(run.ExitCode == 0, run.ToString());
        int[] jobs = Regex.Matches(run.Output, @"worker-\d has slept for \d\.\d\d seconds \(job (\d+)\)")
            .Select(match => int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)).Order().ToArray();
        Assert.Equal(Enumerable.Range(0, 20), jobs);
        AssertInOrder(run.Output, "Every job is done (JoinAsync returned): shutting the queue down.", "====", "3 workers slept in parallel for ");
        int[] doneByWorker = Regex.Matches(run.Output, @"worker-\d: the queue was shut down; (\d+) jobs done")
            .Select(match => int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(3, doneByWorker.Length);
        Assert.Equal(20, doneByWorker.Sum());
        Assert.True(
            run.Output.LastIndexOf("has slept for", StringComparison.Ordinal) < run.Output.IndexOf("Every job is done", StringComparison.Ordinal),
            $"a job finished after JoinAsync returned:{Environment.NewLine}{run}");
        AssertNoQueueLeft(Capture(run, "the joinable queue '([^']+)'"));
    }

    [Theory]
    [InlineData(new string[0], "NATS JetStream at nats://127.0.0.1:")]
    [InlineData(new[] { "shared-memory" }, "shared memory")]
    public void ManyHosts_runs_the_same_consumer_code_over_NATS_and_over_shared_memory(string[] arguments, string backend)
    {
        CommandResult run = BuiltSuccessfully("ManyHosts").Run(arguments);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches($"All 12 files were checked exactly once, by (both consumers|one consumer), through {Regex.Escape(backend)}", run.Output);
        Assert.Equal(12, Regex.Matches(run.Output, "checksum ok").Count);
        AssertNoQueueLeft(Capture(run, @"share the queues '([^']+)\.jobs'"));
    }

    [Fact]
    public void WorkerService_handles_each_job_a_producer_process_puts_exactly_once_in_a_hosted_consumer()
    {
        CommandResult run = BuiltSuccessfully("WorkerService").Run();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("health: Healthy", run.Output);
        Assert.Matches(@"All 40 jobs that producer process \d+ put were handled exactly once by worker process \d+\.", run.Output);
        Assert.Equal(40, Regex.Matches(run.Output, "resized to 320 px wide").Count);
        AssertNoQueueLeft(Capture(run, "consuming '([^']+)'"));
    }

    private BuiltSample BuiltSuccessfully(string sample, params string[] properties)
    {
        BuiltSample built = builds.Get(sample, properties);
        Assert.True(built.Build.ExitCode == 0, built.Build.ToString());
        return built;
    }

    private static void AssertInOrder(string output, params string[] lines)
    {
        int from = 0;
        foreach (string line in lines)
        {
            int at = output.IndexOf(line, from, StringComparison.Ordinal);
            Assert.True(at >= 0, $"expected \"{line}\" after position {from} in:{Environment.NewLine}{output}");
            from = at + line.Length;
        }
    }

    private static string Capture(CommandResult run, string pattern)
    {
        Match match = Regex.Match(run.Output, pattern);
        Assert.True(match.Success, $"no match for /{pattern}/ in {run}");
        return match.Groups[1].Value;
    }

    private static double SecondsIn(CommandResult run, string pattern) =>
        double.Parse(Capture(run, pattern), CultureInfo.InvariantCulture);

    /// <summary>The sample's run name is the prefix of every queue it made; none may be left in /dev/shm.</summary>
    private static void AssertNoQueueLeft(string runName)
    {
        string[] left = Directory.GetFiles("/dev/shm", $"typedipc.{runName}*");
        Array.ForEach(left, File.Delete); // reported below, and gone for the runs after this one
        Assert.Empty(left);
    }
}
