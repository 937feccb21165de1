using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Testing;
using TypedIpc.Generators.Tests.Support;

namespace TypedIpc.CodeFixes.Tests.Support;

/// <summary>
/// Runs TIPC001 and its code fixes over test code written with diagnostic markup (<c>{|TIPC001:span|}</c>). Every
/// test also checks that Fix All in document, project and solution reaches the same fixed code, unless it says otherwise.
/// </summary>
internal static class CodeFixVerifier
{
    /// <summary>No reference package: the compilation gets the running framework's assemblies from <see cref="TestCompilation"/> instead.</summary>
    private static readonly ReferenceAssemblies NoReferenceAssemblies = new("net10.0");

    public const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.IO;
        using MemoryPack;
        using TypedIpc;

        """;

    public static CSharpCodeFixTest<Generators.BulkDataMemberAnalyzer, BulkDataMemberCodeFixProvider, DefaultVerifier> Create(
        string equivalenceKey = BulkDataMemberCodeFixProvider.BlobRefKey)
    {
        var test = new CSharpCodeFixTest<Generators.BulkDataMemberAnalyzer, BulkDataMemberCodeFixProvider, DefaultVerifier>
        {
            ReferenceAssemblies = NoReferenceAssemblies,
            CodeActionEquivalenceKey = equivalenceKey,
        };
        test.TestState.AdditionalReferences.AddRange(TestCompilation.References);
        test.FixedState.AdditionalReferences.AddRange(TestCompilation.References);
        return test;
    }

    /// <summary>Applies the fix of <paramref name="equivalenceKey"/> to <paramref name="source"/> and expects <paramref name="fixedSource"/>.</summary>
    public static Task VerifyAsync(string source, string fixedSource, string equivalenceKey = BulkDataMemberCodeFixProvider.BlobRefKey)
    {
        var test = Create(equivalenceKey);
        test.TestCode = Usings + source;
        test.FixedCode = Usings + fixedSource;
        return test.RunAsync();
    }
}
