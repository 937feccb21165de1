using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace TypedIpc.Generators.Tests.Support;

/// <summary>
/// Runs an analyzer over test code written with diagnostic markup (<c>{|TIPC001:span|}</c>), after adding what the
/// generator emits for it, so that calls on generated queues are analyzed exactly as in a real build.
/// </summary>
internal static partial class AnalyzerVerifier<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    /// <summary>No reference package: the compilation gets the running framework's assemblies from <see cref="TestCompilation"/> instead.</summary>
    private static readonly ReferenceAssemblies NoReferenceAssemblies = new("net10.0");

    public static Task VerifyAsync(string source, string? editorConfig = null)
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
        {
            TestCode = source,
            ReferenceAssemblies = NoReferenceAssemblies,
        };
        test.TestState.AdditionalReferences.AddRange(TestCompilation.References);

        var (result, _) = TestCompilation.Generate(MarkupFree(source));
        foreach (var generated in result.GeneratedSources)
        {
            test.TestState.Sources.Add(($"/0/{generated.HintName}", generated.SourceText));
        }

        if (editorConfig is not null)
        {
            test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", $"root = true\n\n[*]\n{editorConfig}\n"));
        }

        return test.RunAsync();
    }

    /// <summary>The source without its <c>{|ID:</c> … <c>|}</c> markup, as the generator must see it.</summary>
    private static string MarkupFree(string source) => DiagnosticMarkup().Replace(source, string.Empty);

    [GeneratedRegex(@"\{\|[A-Z0-9]+:|\|\}")]
    private static partial Regex DiagnosticMarkup();
}
