using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace TypedIpc.Generators.Tests.Support;

/// <summary>
/// A project built the way the IDE and <c>dotnet build</c> see it: one source file next to an <c>.editorconfig</c>,
/// plus what the generator emits. Its analyzer diagnostics carry the severity the configuration gives them and
/// their full message, which markup-based verification does not show.
/// </summary>
internal static class ConfiguredProject
{
    public static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(DiagnosticAnalyzer analyzer, string source, string editorConfig = "")
    {
        using var workspace = new AdhocWorkspace();
        var projectId = ProjectId.CreateNewId();
        var solution = workspace.CurrentSolution
            .AddProject(ProjectInfo.Create(
                projectId, VersionStamp.Default, "Messages", "Messages", LanguageNames.CSharp,
                filePath: "/project/Messages.csproj",
                compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
                parseOptions: TestCompilation.ParseOptions,
                metadataReferences: TestCompilation.References))
            .AddDocument(DocumentId.CreateNewId(projectId), "Messages.cs", SourceText.From(source), filePath: "/project/Messages.cs")
            .AddAnalyzerConfigDocument(
                DocumentId.CreateNewId(projectId), ".editorconfig", SourceText.From($"root = true\n\n[*.cs]\n{editorConfig}\n"),
                filePath: "/project/.editorconfig");
        foreach (var generated in TestCompilation.Generate(source).Result.GeneratedSources)
        {
            solution = solution.AddDocument(DocumentId.CreateNewId(projectId), generated.HintName, generated.SourceText, filePath: $"/project/{generated.HintName}");
        }

        var compilation = (await solution.GetProject(projectId)!.GetCompilationAsync())!;
        return await compilation.WithAnalyzers([analyzer]).GetAnalyzerDiagnosticsAsync();
    }
}
