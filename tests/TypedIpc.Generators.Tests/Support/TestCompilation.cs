using System.Collections.Immutable;
using MemoryPack;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace TypedIpc.Generators.Tests.Support;

/// <summary>Compilations of test sources against the running .NET, TypedIpc and MemoryPack, and generator runs over them.</summary>
internal static class TestCompilation
{
    /// <summary>The framework assemblies of the running .NET plus TypedIpc.dll and MemoryPack.Core.dll.</summary>
    public static ImmutableArray<MetadataReference> References { get; } = LoadReferences();

    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest);

    public static CSharpCompilation Create(params string[] sources) =>
        CSharpCompilation.Create(
            "TestMessages",
            sources.Select((source, index) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"Source{index}.cs")),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver(bool trackSteps = false) =>
        CSharpGeneratorDriver.Create(
            new[] { new IpcQueueGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>Runs the generator over <paramref name="sources"/>; returns what it generated and the compilation that includes it.</summary>
    public static (GeneratorRunResult Result, Compilation Output) Generate(params string[] sources)
    {
        var driver = CreateDriver().RunGeneratorsAndUpdateCompilation(Create(sources), out var output, out _);
        return (driver.GetRunResult().Results.Single(), output);
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
}
