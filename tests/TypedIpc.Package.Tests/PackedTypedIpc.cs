using TypedIpc.Samples.Tests.Support;

namespace TypedIpc.Package.Tests;

/// <summary>
/// Packs src/TypedIpc once per test run, in Release, into a private folder feed; <c>--artifacts-path</c> keeps the
/// build away from the bin/obj folders a solution build or another test run uses at the same time.
/// </summary>
public sealed class PackedTypedIpc : IDisposable
{
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(8);

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("typedipc-package-");

    public PackedTypedIpc()
    {
        string root = CommandLine.RepositoryRoot;
        string feed = Path.Combine(_work.FullName, "feed");
        Succeed(
            ["pack", Path.Combine(root, "src", "TypedIpc", "TypedIpc.csproj"), "-c", "Release", "-o", feed,
             "--artifacts-path", Path.Combine(_work.FullName, "artifacts"), "--disable-build-servers", "-tl:off", "-nologo"],
            root);
        Package = Directory.GetFiles(feed, "TypedIpc.*.nupkg").Single();
    }

    /// <summary>The path of TypedIpc.&lt;version&gt;.nupkg, alone in its folder feed.</summary>
    public string Package { get; }

    public static CommandResult Succeed(IEnumerable<string> arguments, string workingDirectory)
    {
        CommandResult result = CommandLine.RunDotnet(arguments, workingDirectory, CommandTimeout);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    public void Dispose() => _work.Delete(recursive: true);
}
