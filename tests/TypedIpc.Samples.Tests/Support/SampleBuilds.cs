namespace TypedIpc.Samples.Tests.Support;

/// <summary>
/// Builds each sample at most once per test run, in Release, with <c>dotnet build --artifacts-path</c> into a
/// private temporary folder: the build starts from nothing (so the compiler really runs and loads the generator),
/// and it never touches the bin/obj folders that a solution build or another test run uses at the same time.
/// </summary>
public sealed class SampleBuilds : IDisposable
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(10);

    private readonly DirectoryInfo _artifacts = Directory.CreateTempSubdirectory("typedipc-samples-");
    private readonly Dictionary<string, BuiltSample> _builds = [];

    public static string RepositoryRoot => CommandLine.RepositoryRoot;

    /// <summary>
    /// The build of <c>samples/<paramref name="sample"/></c> with the MSBuild <paramref name="properties"/>
    /// (<c>Name=value</c>), built on first use.
    /// </summary>
    public BuiltSample Get(string sample, params string[] properties)
    {
        string key = string.Join(';', [sample, .. properties]);
        lock (_builds)
        {
            if (!_builds.TryGetValue(key, out BuiltSample? built))
            {
                built = Build(sample, properties);
                _builds.Add(key, built);
            }

            return built;
        }
    }

    public void Dispose() => _artifacts.Delete(recursive: true);

    private BuiltSample Build(string sample, string[] properties)
    {
        string project = Path.Combine(RepositoryRoot, "samples", sample, $"{sample}.csproj");
        // A build with properties of its own gets a folder of its own: builds of one project must not share obj.
        string artifacts = properties.Length == 0
            ? _artifacts.FullName
            : Directory.CreateDirectory(Path.Combine(_artifacts.FullName, $"{sample}-{_builds.Count}")).FullName;
        CommandResult build = CommandLine.RunDotnet(
            ["build", project, "-c", "Release", "--artifacts-path", artifacts, "--disable-build-servers", "-tl:off", "-nologo", .. properties.Select(property => $"-p:{property}")],
            RepositoryRoot,
            BuildTimeout);

        // The artifacts layout: <artifacts>/{bin,obj}/<project>/<configuration in lower case>/
        return new BuiltSample(
            build,
            Path.Combine(artifacts, "bin", sample, "release", $"{sample}.dll"),
            Path.Combine(artifacts, "obj", sample, "release", "generated"));
    }
}

/// <summary>A sample's build: what the build printed, where its program is and where EmitCompilerGeneratedFiles put the generated sources.</summary>
public sealed record BuiltSample(CommandResult Build, string AssemblyPath, string GeneratedSourcesDirectory)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Runs the sample the way <c>dotnet app.dll [arguments]</c> does, from its output folder.</summary>
    public CommandResult Run(params string[] arguments) =>
        CommandLine.RunDotnet([AssemblyPath, .. arguments], Path.GetDirectoryName(AssemblyPath)!, RunTimeout);
}
