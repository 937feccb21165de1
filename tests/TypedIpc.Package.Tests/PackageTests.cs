using System.IO.Compression;
using System.Text.RegularExpressions;
using TypedIpc.Nats.Tests.Support;
using TypedIpc.Samples.Tests.Support;

namespace TypedIpc.Package.Tests;

/// <summary>
/// Packs TypedIpc (and TypedIpc.Hosting, TypedIpc.Nats) into a local folder feed, then creates new console projects
/// outside the repository (so none of its Directory.Build.props or central package versions apply), adds a package
/// from that feed, builds them with the real dotnet CLI and runs them: across two processes, and against a nats-server.
/// </summary>
public sealed partial class PackageTests(PackedTypedIpc packed) : IClassFixture<PackedTypedIpc>, IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("typedipc-package-app-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public void The_package_ships_the_library_the_analyzers_and_its_metadata()
    {
        (string[] files, string metadata) = Contents(packed.Package, "TypedIpc.nuspec");
        Assert.Contains("lib/net10.0/TypedIpc.dll", files);
        Assert.Contains("lib/net10.0/TypedIpc.xml", files);
        Assert.Contains("analyzers/dotnet/cs/TypedIpc.Generators.dll", files);
        Assert.Contains("analyzers/dotnet/cs/TypedIpc.CodeFixes.dll", files);
        Assert.Contains("README.md", files);
        Assert.Contains("LICENSE", files);

        Assert.Contains("<license type=\"expression\">MIT</license>", metadata);
        Assert.Matches("<repository type=\"git\" url=\"https://github.com/typedipc/typedipc\"", metadata);
        // include="All": MemoryPack's source generator must reach the user's project for their [MemoryPackable] messages.
        Assert.Matches("<dependency id=\"MemoryPack\" version=\"[^\"]+\" include=\"All\" />", metadata);
    }

    [Fact]
    public void The_hosting_package_ships_its_library_and_depends_on_TypedIpc_and_the_hosting_abstractions()
    {
        (string[] files, string metadata) = Contents(packed.HostingPackage, "TypedIpc.Hosting.nuspec");
        Assert.Contains("lib/net10.0/TypedIpc.Hosting.dll", files);
        Assert.Contains("lib/net10.0/TypedIpc.Hosting.xml", files);
        Assert.Contains("LICENSE", files);

        Assert.Contains($"<dependency id=\"TypedIpc\" version=\"{VersionOf(packed.Package)}\"", metadata);
        Assert.Matches("<dependency id=\"Microsoft.Extensions.Hosting.Abstractions\" version=\"[^\"]+\"", metadata);
        Assert.Matches("<dependency id=\"Microsoft.Extensions.Diagnostics.HealthChecks\" version=\"[^\"]+\"", metadata);
    }

    [Fact]
    public void The_NATS_package_ships_its_library_and_depends_on_exactly_its_TypedIpc_on_NATS_Net_and_on_MemoryPack()
    {
        (string[] files, string metadata) = Contents(packed.NatsPackage, "TypedIpc.Nats.nuspec");
        Assert.Contains("lib/net10.0/TypedIpc.Nats.dll", files);
        Assert.Contains("lib/net10.0/TypedIpc.Nats.xml", files);
        Assert.Contains("LICENSE", files);

        // [x.y.z]: TypedIpc.Nats uses TypedIpc's internals, which change between versions.
        Assert.Contains($"<dependency id=\"TypedIpc\" version=\"[{VersionOf(packed.Package)}]\"", metadata);
        Assert.Matches("<dependency id=\"NATS.Net\" version=\"[^\"]+\"", metadata);
        Assert.Matches("<dependency id=\"MemoryPack\" version=\"[^\"]+\"", metadata);
    }

    [Fact]
    public void A_new_console_project_with_only_the_NATS_package_opens_its_generated_queue_over_NATS_in_one_line()
    {
        (string app, string packages) = NewApp("NatsPackageSmoke", "NatsSmokeApp", "TypedIpc.Nats", VersionOf(packed.Package));

        Succeed(["build", "-c", "Release", "--packages", packages, "--disable-build-servers", "-tl:off", "-nologo"], app);

        using var server = new NatsServer();
        CommandResult run = Succeed([Path.Combine(app, "bin", "Release", "net10.0", "NatsPackageSmoke.dll"), server.Url], app);
        Assert.Contains("over NATS, queue 'Job' (maxsize 3): Job { Path = /data/in/0001.csv, Priority = 1 }", run.Output);
    }

    [Fact]
    public void A_new_console_project_builds_with_the_package_and_runs_across_two_processes()
    {
        string version = VersionOf(packed.Package);
        (string app, string packages) = NewApp("PackageSmoke", "SmokeApp", "TypedIpc", version);

        CommandResult build = Succeed(["build", "-c", "Release", "--packages", packages, "--disable-build-servers", "-tl:off", "-nologo"], app);

        Assert.Matches(@"Program\.cs\(\d+,\d+\): warning TIPC001: 'InlinePhoto\.Pixels' is byte\[\]", build.Output);
        Assert.DoesNotContain("CS8032", build.Output);
        Assert.StartsWith(Path.Combine(packages, "typedipc", version), ResolvedTypedIpc(app), StringComparison.Ordinal);

        CommandResult run = Succeed([Path.Combine(app, "bin", "Release", "net10.0", "PackageSmoke.dll")], app);
        Match child = ChildLine().Match(run.Output);
        Assert.True(child.Success, run.ToString());
        Assert.NotEqual(child.Groups[1].Value, ParentPid().Match(run.Output).Groups[1].Value);
        Assert.Contains("exited with 0", run.Output);
    }

    private static CommandResult Succeed(IEnumerable<string> arguments, string workingDirectory) =>
        PackedTypedIpc.Succeed(arguments, workingDirectory);

    /// <summary>
    /// A new console project <paramref name="name"/> with the Program.cs of <paramref name="sourceFolder"/> and package
    /// <paramref name="packageId"/> from the local feed; returns its folder and its private package cache.
    /// </summary>
    private (string App, string Packages) NewApp(string name, string sourceFolder, string packageId, string version)
    {
        string app = Path.Combine(_work.FullName, name);
        string packages = Path.Combine(_work.FullName, "packages"); // a private cache: a stale TypedIpc there can never be used

        Succeed(["new", "console", "--name", name, "--output", app, "--no-restore"], _work.FullName);
        File.Copy(Path.Combine(AppContext.BaseDirectory, sourceFolder, "Program.cs"), Path.Combine(app, "Program.cs"), overwrite: true);
        // Adds the local feed to the machine's configured sources (no <clear/>): MemoryPack and NATS.Net restore from those.
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="typedipc-local" value="{Path.GetDirectoryName(packed.Package)}" />
              </packageSources>
            </configuration>
            """);
        Succeed(["add", "package", packageId, "--version", version, "--package-directory", packages], app);
        return (app, packages);
    }

    /// <summary>The paths a package holds and the text of its nuspec.</summary>
    private static (string[] Files, string Metadata) Contents(string package, string nuspecName)
    {
        using ZipArchive archive = ZipFile.OpenRead(package);
        using var nuspec = new StreamReader(archive.Entries.Single(entry => entry.FullName == nuspecName).Open());
        return (archive.Entries.Select(entry => entry.FullName).ToArray(), nuspec.ReadToEnd());
    }

    private static string VersionOf(string package) =>
        Path.GetFileNameWithoutExtension(package)["TypedIpc.".Length..];

    /// <summary>Where restore found TypedIpc, from the project's assets file.</summary>
    private static string ResolvedTypedIpc(string app)
    {
        string assets = File.ReadAllText(Path.Combine(app, "obj", "project.assets.json"));
        Match folder = Regex.Match(assets, "\"packageFolders\": \\{\\s*\"([^\"]+)\"");
        Match library = Regex.Match(assets, "\"path\": \"(typedipc/[^\"]+)\"");
        Assert.True(folder.Success && library.Success, assets);
        return Path.Combine(folder.Groups[1].Value, library.Groups[1].Value);
    }

    [GeneratedRegex(@"child \(pid (\d+)\) read 'photo-1': 1048576 bytes, intact")]
    private static partial Regex ChildLine();

    [GeneratedRegex(@"parent \(pid (\d+)\)")]
    private static partial Regex ParentPid();
}
