using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using TypedIpc.Cli.Tests.Support;
using TypedIpc.Samples.Tests.Support;
using TypedIpc.TestPeer;
using TypedIpc.Tests.Support;
using Xunit.Abstractions;

namespace TypedIpc.Cli.Tests;

/// <summary>
/// The typedipc command, run as a child process against queues held by real peer processes. Every purge that removes
/// something is limited with --prefix to this test's own names: the machine's other tests make abandoned queues on
/// purpose and look at them afterwards.
/// </summary>
public sealed partial class CliTests(ITestOutputHelper log) : IDisposable
{
    private readonly TestQueueName _name = new("cli");

    public void Dispose() => _name.Dispose();

    [Fact]
    public void List_json_shows_an_attached_process_alive_then_dead_once_killed()
    {
        using var peer = PeerProcess.Start("hold", _name, "4");
        Assert.Equal("ready", peer.WaitForFirstLine());

        JsonElement alive = Queue(Succeed("list", "--json").Json, _name);

        Assert.Equal(_name.Value, alive.GetProperty("name").GetString());
        Assert.Equal((0, 4, 4), (alive.GetProperty("count").GetInt32(), alive.GetProperty("maxSize").GetInt32(), alive.GetProperty("capacity").GetInt32()));
        Assert.True(Attached(alive, peer.Id).GetProperty("alive").GetBoolean());

        peer.Kill();
        JsonElement dead = Queue(Succeed("list", "--json").Json, _name);

        Assert.False(Attached(dead, peer.Id).GetProperty("alive").GetBoolean());
        Assert.True(dead.GetProperty("abandoned").GetBoolean());
        Assert.Contains("0 alive, 1 dead", Succeed("list").Output);
    }

    [Fact]
    public void Inspect_json_has_the_settings_the_contents_the_attached_threads_and_the_claims()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 4);
        queue.Put(new Numbered(1, 0, 0));
        queue.Put(new Numbered(1, 1, 0));

        JsonElement inspected = Succeed("inspect", _name, "--json").Json;

        Assert.Equal(JsonValueKind.Object, inspected.ValueKind);
        Assert.Equal(_name.Value, inspected.GetProperty("name").GetString());
        Assert.Equal(_name.Path, inspected.GetProperty("path").GetString());
        Assert.Equal(typeof(Numbered).FullName, inspected.GetProperty("typeName").GetString());
        Assert.Matches("^0x[0-9A-F]{16}$", inspected.GetProperty("schemaFingerprint").GetString());
        Assert.Equal(2, inspected.GetProperty("count").GetInt32());
        Assert.Equal(4, inspected.GetProperty("maxSize").GetInt32());
        Assert.Equal(4, inspected.GetProperty("capacity").GetInt32());
        Assert.Equal(QueueOptions.DefaultMaxMessageBytes, inspected.GetProperty("maxMessageBytes").GetInt32());
        Assert.Equal(queue.BytesUsed, inspected.GetProperty("bytesUsed").GetInt64());
        Assert.Equal(queue.BytesCapacity, inspected.GetProperty("bytesCapacity").GetInt64());
        Assert.False(inspected.GetProperty("shutDown").GetBoolean());
        Assert.Equal((2, 0), (inspected.GetProperty("itemsPut").GetInt32(), inspected.GetProperty("itemsTaken").GetInt32()));
        Assert.False(inspected.GetProperty("abandoned").GetBoolean());
        JsonElement self = Attached(inspected, Environment.ProcessId);
        Assert.True(self.GetProperty("alive").GetBoolean());
        Assert.Equal("idle", self.GetProperty("activity").GetString());
        Assert.Equal(0, inspected.GetProperty("claims").GetArrayLength());
    }

    [Fact]
    public void Purge_removes_a_dead_queue_keeps_a_live_one_and_a_non_empty_one_unless_asked_and_a_dry_run_removes_nothing()
    {
        using var queues = new PurgeCandidates("cli-purge", items: 3);

        // Over the whole machine, as an operator would run it first.
        CliRun everywhere = Succeed("purge", "--dry-run");
        Assert.Contains($"Would remove queue {queues.Dead}: no live process attached, 0 item(s).", everywhere.Output);
        Assert.Contains($"Kept queue {queues.HoldingItems}: no live process attached, but it holds 3 item(s); --include-nonempty removes it.", everywhere.Output);
        Assert.DoesNotContain(queues.Live.Value, everywhere.Output);
        Assert.True(File.Exists(queues.Dead.Path) && File.Exists(queues.Live.Path) && File.Exists(queues.HoldingItems.Path), "the dry run removed a queue");

        CliRun purged = Succeed("purge", "--prefix", queues.Prefix);

        Assert.Contains($"Removed queue {queues.Dead}: no live process attached, 0 item(s).", purged.Output);
        Assert.False(File.Exists(queues.Dead.Path), "purge kept the dead queue");
        Assert.True(File.Exists(queues.Live.Path), "purge removed the queue a live process holds");
        Assert.True(File.Exists(queues.HoldingItems.Path), "purge removed a queue that holds items without --include-nonempty");

        CliRun withItems = Succeed("purge", "--include-nonempty", "--prefix", queues.Prefix);

        Assert.Equal($"Removed queue {queues.HoldingItems}: no live process attached, 3 item(s).", withItems.Output.Trim());
        Assert.False(File.Exists(queues.HoldingItems.Path));
        Assert.True(File.Exists(queues.Live.Path));
    }

    [Fact]
    public void List_with_blobs_shows_a_running_writers_blob_with_its_owner_alive()
    {
        using var writer = PeerProcess.Start(BlobRoles.WriteAndHold, "1000");
        BlobRef blob = BlobRoles.Parse(writer.WaitForFirstLine());
        try
        {
            JsonElement listed = Succeed("list", "--blobs", "--json").Json;

            Assert.Equal(JsonValueKind.Array, listed.GetProperty("queues").ValueKind);
            JsonElement entry = Assert.Single(listed.GetProperty("blobs").EnumerateArray(), b => b.GetProperty("name").GetString() == blob.Name);
            Assert.Equal("written", entry.GetProperty("state").GetString());
            Assert.Equal(writer.Id, entry.GetProperty("ownerPid").GetInt32());
            Assert.True(entry.GetProperty("ownerAlive").GetBoolean());
            Assert.Contains(blob.Name, Succeed("list", "--blobs").Output);
        }
        finally
        {
            writer.Kill();
            File.Delete($"/dev/shm/typedipc-blob.{blob.Name}");
            DeleteLivenessFileOf(writer.Id);
        }
    }

    [Fact]
    public void Watch_shows_depth_rates_and_a_blocked_caller_and_stops_after_its_iterations()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 4);
        using var consumer = PeerProcess.Start("get-one", _name, "4");
        consumer.WaitUntilAsleepIn(_name.Path);

        CliRun watched = Succeed("watch", _name, "--iterations", "2", "--interval", "0.2");

        Assert.Equal(2, watched.Output.Split($"typedipc watch {_name}").Length - 1);
        Assert.Contains("0 / 4", watched.Output);
        Assert.Contains("1 in get, 0 in put", watched.Output);
        Assert.Contains("puts/s", watched.Output);
        Assert.Contains("blocked in get", watched.Output);

        queue.Put(new Numbered(2, 5, 0));
        Assert.Equal("got 2 5", consumer.WaitForSuccess().Trim());
        Assert.Single(Succeed("watch", _name, "--once").Output.Split($"typedipc watch {_name}")[1..]);
    }

    [Fact]
    public void Watch_runs_until_Ctrl_C_and_then_exits_with_0()
    {
        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 4);
        // env --default-signal: SIGINT reaches the command even where this test runs under a shell that ignores it (a background job).
        var start = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[] { "--default-signal=INT", CommandLine.Dotnet, typeof(TypedIpcCommand).Assembly.Location, "watch", _name, "--interval", "0.1" })
        {
            start.ArgumentList.Add(argument);
        }

        using var watch = new Process { StartInfo = start };
        using var firstView = new ManualResetEventSlim();
        watch.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains($"typedipc watch {_name}", StringComparison.Ordinal) == true)
            {
                firstView.Set();
            }
        };
        watch.Start();
        watch.BeginOutputReadLine();
        watch.BeginErrorReadLine();
        try
        {
            Assert.True(firstView.Wait(TimeSpan.FromSeconds(60)), "watch showed no view within 60 s");

            Assert.Equal(0, Kill(watch.Id, SignalInterrupt));

            Assert.True(watch.WaitForExit(TimeSpan.FromSeconds(30)), "watch was still running 30 s after Ctrl+C (SIGINT)");
            Assert.Equal(0, watch.ExitCode);
        }
        finally
        {
            if (!watch.HasExited)
            {
                watch.Kill();
            }
        }
    }

    [Fact]
    public void Unlink_removes_a_queue_and_a_missing_queue_exits_with_1()
    {
        SharedQueue<Numbered>.Open(_name, maxsize: 1).Dispose();

        Assert.Equal($"Unlinked queue {_name}.", Succeed("unlink", _name).Output.Trim());
        Assert.False(File.Exists(_name.Path));

        foreach (string[] command in new[] { new[] { "unlink", _name.Value }, ["inspect", _name.Value], ["inspect", _name.Value, "--json"], ["watch", _name.Value, "--once"] })
        {
            CliRun missing = Typedipc.Run(log, command);
            Assert.Equal(1, missing.ExitCode);
            Assert.Contains($"typedipc: there is no queue named '{_name}'", missing.Errors);
            Assert.Empty(missing.Output);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("frobnicate")]
    [InlineData("inspect")]
    [InlineData("list --no-such-option")]
    [InlineData("inspect ../../etc/passwd")]
    [InlineData("watch some.queue --iterations 0")]
    [InlineData("watch some.queue --interval soon")]
    public void Bad_usage_exits_with_2_and_says_what_is_wrong(string commandLine)
    {
        CliRun run = Typedipc.Run(log, commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("typedipc: ", run.Errors);
        Assert.Empty(run.Output);
    }

    [Fact]
    public void A_hostile_file_at_a_queue_name_is_listed_with_its_error_and_inspect_exits_with_3()
    {
        Directory.CreateDirectory(_name.Path);
        try
        {
            JsonElement entry = Queue(Succeed("list", "--json").Json, _name);
            Assert.Contains("is not a regular file", entry.GetProperty("error").GetString());

            CliRun inspect = Typedipc.Run(log, "inspect", _name);
            Assert.Equal(3, inspect.ExitCode);
            Assert.Contains("is not a regular file", inspect.Errors);
        }
        finally
        {
            Directory.Delete(_name.Path);
        }
    }

    private CliRun Succeed(params string[] arguments)
    {
        CliRun run = Typedipc.Run(log, arguments);
        Assert.True(run.ExitCode == 0, run.ToString());
        return run;
    }

    /// <summary>A blob owner's liveness file holds its pid; a killed owner could not remove its own.</summary>
    private static void DeleteLivenessFileOf(int killedPid)
    {
        foreach (string file in Directory.GetFiles("/dev/shm", ".typedipc-blob-owner.*"))
        {
            try
            {
                if (File.ReadAllText(file) == killedPid.ToString(System.Globalization.CultureInfo.InvariantCulture))
                {
                    File.Delete(file);
                }
            }
            catch (IOException)
            {
                // Another process's file, removed while this looked: not the killed writer's.
            }
        }
    }

    private static JsonElement Queue(JsonElement list, string name) =>
        Assert.Single(list.EnumerateArray(), queue => queue.GetProperty("name").GetString() == name);

    private static JsonElement Attached(JsonElement queue, int pid) =>
        Assert.Single(queue.GetProperty("attached").EnumerateArray(), entry => entry.GetProperty("pid").GetInt32() == pid);

    private const int SignalInterrupt = 2;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
