using TypedIpc.Samples.Tests.Support;

namespace TypedIpc.Package.Tests;

/// <summary>
/// Packs src/TypedIpc, src/TypedIpc.Hosting and src/TypedIpc.Nats once per test run, in Release, into a private folder
/// feed; <c>--artifacts-path</c> keeps the build away from the bin/obj folders a solution build or another test run
/// uses at the same time.
/// </summary>
public sealed class PackedTypedIpc : IDisposable
{
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(8);

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("typedipc-package-");

    public PackedTypedIpc()
    {
        string root = CommandLine.RepositoryRoot;
        string feed = Path.Combine(_work.FullName, "feed");
        foreach (string project in new[] { "TypedIpc", "TypedIpc.Hosting", "TypedIpc.Nats" })
        {
            Succeed(
                ["pack", Path.Combine(root, "src", project, $"{project}.csproj"), "-c", "Release", "-o", feed,
                 "--artifacts-path", Path.Combine(_work.FullName, "artifacts"), "--disable-build-servers", "-tl:off", "-nologo"],
                root);
        }

        Package = PackageOf(feed, "TypedIpc");
        HostingPackage = PackageOf(feed, "TypedIpc.Hosting");
        NatsPackage = PackageOf(feed, "TypedIpc.Nats");
    }

    /// <summary>The path of TypedIpc.&lt;version&gt;.nupkg in the folder feed.</summary>
    public string Package { get; }

    /// <summary>The path of TypedIpc.Hosting.&lt;version&gt;.nupkg, beside <see cref="Package"/>.</summary>
    public string HostingPackage { get; }

    /// <summary>The path of TypedIpc.Nats.&lt;version&gt;.nupkg, beside <see cref="Package"/>.</summary>
    public string NatsPackage { get; }

    public static CommandResult Succeed(IEnumerable<string> arguments, string workingDirectory)
    {
        CommandResult result = CommandLine.RunDotnet(arguments, workingDirectory, CommandTimeout);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    public void Dispose() => _work.Delete(recursive: true);

    /// <summary>The package <paramref name="id"/> (and not another whose id it begins: TypedIpc, not TypedIpc.Hosting or TypedIpc.Nats).</summary>
    private static string PackageOf(string feed, string id) =>
        Directory.GetFiles(feed, $"{id}.*.nupkg").Single(path => char.IsAsciiDigit(Path.GetFileName(path)[(id.Length + 1)..][0]));
}
