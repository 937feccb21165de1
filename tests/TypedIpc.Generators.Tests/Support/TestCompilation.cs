using System.Collections.Immutable;
using System.Reflection;
using MemoryPack;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace TypedIpc.Generators.Tests.Support;

/// <summary>
/// Compilations of test sources against the running .NET, TypedIpc and MemoryPack, and generator runs over them that
/// run MemoryPack's generator next to TypedIpc's, as a real build does.
/// </summary>
internal static class TestCompilation
{
    /// <summary>The symbols a net10.0 build defines; MemoryPack's generated code depends on them.</summary>
    private static readonly string[] PreprocessorSymbols =
        ["NET", "NETCOREAPP", "NET10_0", .. Enumerable.Range(5, 6).Select(major => $"NET{major}_0_OR_GREATER"), "NETCOREAPP3_1_OR_GREATER"];

    /// <summary>The framework assemblies of the running .NET plus TypedIpc.dll and MemoryPack.Core.dll.</summary>
    public static ImmutableArray<MetadataReference> References { get; } = LoadReferences();

    public static CSharpParseOptions ParseOptions { get; } = ParseOptionsFor(LanguageVersion.Latest);

    public static CSharpParseOptions ParseOptionsFor(LanguageVersion languageVersion) => new(languageVersion, preprocessorSymbols: PreprocessorSymbols);

    /// <summary>Loaded on first use: only the generator tests record where MemoryPack's generator is.</summary>
    private static readonly Lazy<ImmutableArray<ISourceGenerator>> MemoryPackGenerators = new(LoadMemoryPackGenerators);

    public static CSharpCompilation Create(params string[] sources) => Create(ParseOptions, sources);

    public static CSharpCompilation Create(CSharpParseOptions parseOptions, params string[] sources) => Create(parseOptions, References, sources);

    /// <summary>A compilation of <paramref name="sources"/> against <paramref name="references"/> instead of <see cref="References"/>.</summary>
    public static CSharpCompilation Create(CSharpParseOptions parseOptions, ImmutableArray<MetadataReference> references, params string[] sources) =>
        CSharpCompilation.Create(
            "TestMessages",
            sources.Select((source, index) => CSharpSyntaxTree.ParseText(source, parseOptions, path: $"Source{index}.cs")),
            references,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                allowUnsafe: true,
                // The assembly-version unification notes the SDK silences too.
                specificDiagnosticOptions: [new("CS1701", ReportDiagnostic.Suppress), new("CS1702", ReportDiagnostic.Suppress)],
                // Every warning wave, as <AnalysisLevel>latest</AnalysisLevel> turns on.
                warningLevel: 9999));

    /// <summary>A driver of the TypedIpc generator alone, for the incrementality tests that read its tracked steps.</summary>
    public static GeneratorDriver CreateDriver(bool trackSteps = false) =>
        CSharpGeneratorDriver.Create(
            new[] { new IpcQueueGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>Runs the generator over <paramref name="sources"/>; returns what it generated and the compilation that includes it.</summary>
    public static (GeneratorRunResult Result, Compilation Output) Generate(params string[] sources) => Generate(ParseOptions, sources);

    /// <summary>
    /// Runs the TypedIpc and MemoryPack generators over <paramref name="sources"/> parsed with <paramref name="parseOptions"/>;
    /// returns what TypedIpc generated and the compilation that includes the output of both.
    /// </summary>
    public static (GeneratorRunResult Result, Compilation Output) Generate(CSharpParseOptions parseOptions, params string[] sources) =>
        Generate(parseOptions, References, sources);

    /// <summary>As <see cref="Generate(CSharpParseOptions, string[])"/>, compiling against <paramref name="references"/>.</summary>
    public static (GeneratorRunResult Result, Compilation Output) Generate(
        CSharpParseOptions parseOptions, ImmutableArray<MetadataReference> references, params string[] sources)
    {
        var typedIpc = new IpcQueueGenerator().AsSourceGenerator();
        var driver = CSharpGeneratorDriver.Create(MemoryPackGenerators.Value.Add(typedIpc), parseOptions: parseOptions)
            .RunGeneratorsAndUpdateCompilation(Create(parseOptions, references, sources), out var output, out _);
        return (driver.GetRunResult().Results.Single(result => result.Generator == typedIpc), output);
    }

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var frameworkDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var frameworkAssemblies = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => Path.GetDirectoryName(path) == frameworkDirectory);
        var libraries = new[] { typeof(SharedQueue<>).Assembly, typeof(MemoryPackableAttribute).Assembly }.Select(assembly => assembly.Location);
        return frameworkAssemblies.Concat(libraries)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();
    }

    private static ImmutableArray<ISourceGenerator> LoadMemoryPackGenerators()
    {
        var path = typeof(TestCompilation).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "MemoryPackGenerator").Value!;
        return Assembly.LoadFrom(path).GetTypes()
            .Where(type => type.GetCustomAttribute<GeneratorAttribute>() is not null)
            .Select(type => Activator.CreateInstance(type) switch
            {
                IIncrementalGenerator incremental => incremental.AsSourceGenerator(),
                ISourceGenerator generator => generator,
                var other => throw new InvalidOperationException($"{other} is not a generator."),
            })
            .ToImmutableArray();
    }
}
