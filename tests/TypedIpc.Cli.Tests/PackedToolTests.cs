using System.Diagnostics;
using System.Text.Json;
using TypedIpc.Cli.Tests.Support;
using TypedIpc.Samples.Tests.Support;
using TypedIpc.TestPeer;
using TypedIpc.Tests.Support;
using Xunit.Abstractions;

namespace TypedIpc.Cli.Tests;

/// <summary>
/// Packs tools/TypedIpc.Cli into a local folder feed, installs it with <c>dotnet tool install --tool-path</c> as a
/// user would, and runs the installed <c>typedipc</c> command. A version of its own and a private package folder make
/// sure that the package just packed is the one installed, never one from a cache.
/// </summary>
public sealed class PackedToolTests(ITestOutputHelper log) : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(8);
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("typedipc-tool-");
    private readonly TestQueueName _name = new("cli-tool");

    public void Dispose()
    {
        _name.Dispose();
        _work.Delete(recursive: true);
    }

    [Fact]
    public void The_packed_tool_installs_from_a_local_feed_and_lists_queues_as_json()
    {
        string root = CommandLine.RepositoryRoot;
        string feed = Path.Combine(_work.FullName, "feed");
        string toolPath = Path.Combine(_work.FullName, "tools");
        string version = $"0.0.0-local.{Guid.NewGuid():N}";
        var privatePackages = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(_work.FullName, "packages") };
        Succeed(
            ["pack", Path.Combine(root, "tools", "TypedIpc.Cli", "TypedIpc.Cli.csproj"), "-c", "Release", "-o", feed, $"-p:PackageVersion={version}",
             "--artifacts-path", Path.Combine(_work.FullName, "artifacts"), "--disable-build-servers", "-tl:off", "-nologo"],
            root);
        Assert.True(File.Exists(Path.Combine(feed, $"TypedIpc.Cli.{version}.nupkg")), $"no TypedIpc.Cli.{version}.nupkg in {feed}");

        CommandResult install = Succeed(
            ["tool", "install", "--tool-path", toolPath, "--add-source", feed, "--version", version, "TypedIpc.Cli"], _work.FullName, privatePackages);
        Assert.Contains("typedipc", install.Output);

        using var queue = SharedQueue<Numbered>.Open(_name, maxsize: 2);
        queue.Put(new Numbered(1, 0, 0));
        var start = new ProcessStartInfo(Path.Combine(toolPath, "typedipc"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("list");
        start.ArgumentList.Add("--json");
        // The installed command finds the runtime of the dotnet that runs these tests.
        start.Environment["DOTNET_ROOT"] = Path.GetDirectoryName(Path.GetFullPath(DotnetHostPath()))!;
        CliRun listed = Typedipc.RunToEnd(start, $"{start.FileName} list --json");
        log.WriteLine(listed.ToString());

        Assert.Equal(0, listed.ExitCode);
        JsonElement entry = Assert.Single(listed.Json.EnumerateArray(), q => q.GetProperty("name").GetString() == _name.Value);
        Assert.Equal(1, entry.GetProperty("count").GetInt32());
        JsonElement self = Assert.Single(entry.GetProperty("attached").EnumerateArray(), a => a.GetProperty("pid").GetInt32() == Environment.ProcessId);
        Assert.True(self.GetProperty("alive").GetBoolean());
    }

    private CommandResult Succeed(IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        CommandResult result = CommandLine.RunDotnet(arguments, workingDirectory, CommandTimeout, environment);
        log.WriteLine(result.ToString());
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    /// <summary>The dotnet executable: the one that runs the tests, else the one on PATH.</summary>
    private static string DotnetHostPath()
    {
        string dotnet = CommandLine.Dotnet;
        if (Path.IsPathRooted(dotnet))
        {
            return dotnet;
        }

        string? onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(folder => Path.Combine(folder, dotnet))
            .FirstOrDefault(File.Exists);
        return new FileInfo(onPath ?? throw new InvalidOperationException("no dotnet on PATH")).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? onPath;
    }
}
