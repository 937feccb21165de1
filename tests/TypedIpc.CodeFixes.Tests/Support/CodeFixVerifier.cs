using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using TypedIpc.Generators.Tests.Support;

namespace TypedIpc.CodeFixes.Tests.Support;

/// <summary>
/// Runs an analyzer and a code fix over test code written with diagnostic markup (<c>{|TIPC001:span|}</c>), with
/// nullable reference types on and compiler warnings compared too, so a fix that leaves a warning fails. Every test
/// also checks that Fix All in document, project and solution reaches the same fixed code, unless it says otherwise.
/// </summary>
internal static class CodeFixVerifier<TAnalyzer, TCodeFix>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TCodeFix : CodeFixProvider, new()
{
    /// <summary>No reference package: the compilation gets the running framework's assemblies from <see cref="TestCompilation"/> instead.</summary>
    private static readonly ReferenceAssemblies NoReferenceAssemblies = new("net10.0");

    public static CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier> Create(string? equivalenceKey = null)
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
        {
            ReferenceAssemblies = NoReferenceAssemblies,
            CodeActionEquivalenceKey = equivalenceKey,
            CompilerDiagnostics = CompilerDiagnostics.Warnings,
        };
        test.TestState.AdditionalReferences.AddRange(TestCompilation.References);
        test.FixedState.AdditionalReferences.AddRange(TestCompilation.References);
        test.SolutionTransforms.Add(static (solution, _) =>
        {
            foreach (var project in solution.Projects)
            {
                var options = (CSharpCompilationOptions)project.CompilationOptions!;
                // The test projects document nothing; missing XML comments are not what these tests are about.
                var withoutDocumentationWarnings = options.SpecificDiagnosticOptions.SetItem("CS1591", ReportDiagnostic.Suppress);
                solution = solution.WithProjectCompilationOptions(
                    project.Id,
                    options.WithNullableContextOptions(NullableContextOptions.Enable).WithSpecificDiagnosticOptions(withoutDocumentationWarnings));
            }

            return solution;
        });
        return test;
    }

    /// <summary>Applies the fix of <paramref name="equivalenceKey"/> to <paramref name="source"/> and expects <paramref name="fixedSource"/>.</summary>
    public static Task VerifyAsync(string source, string fixedSource, string? equivalenceKey = null)
    {
        var test = Create(equivalenceKey);
        test.TestCode = CodeFixVerifier.Usings + source;
        test.FixedCode = CodeFixVerifier.Usings + fixedSource;
        return test.RunAsync();
    }
}

/// <summary>TIPC001 and its fixes, the default <see cref="CodeFixVerifier{TAnalyzer, TCodeFix}"/> of these tests.</summary>
internal static class CodeFixVerifier
{
    public const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.IO;
        using MemoryPack;
        using TypedIpc;

        """;

    public static CSharpCodeFixTest<Generators.BulkDataMemberAnalyzer, BulkDataMemberCodeFixProvider, DefaultVerifier> Create(
        string equivalenceKey = BulkDataMemberCodeFixProvider.BlobRefKey) =>
        CodeFixVerifier<Generators.BulkDataMemberAnalyzer, BulkDataMemberCodeFixProvider>.Create(equivalenceKey);

    /// <summary>Applies the fix of <paramref name="equivalenceKey"/> to <paramref name="source"/> and expects <paramref name="fixedSource"/>.</summary>
    public static Task VerifyAsync(string source, string fixedSource, string equivalenceKey = BulkDataMemberCodeFixProvider.BlobRefKey) =>
        CodeFixVerifier<Generators.BulkDataMemberAnalyzer, BulkDataMemberCodeFixProvider>.VerifyAsync(source, fixedSource, equivalenceKey);
}
