using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Diagnostics.Telemetry;
using TypedIpc.Generators.Tests.Support;

namespace TypedIpc.Generators.Tests;

/// <summary>The analyzers cost nothing in a project that does not use TypedIpc: they register no action there.</summary>
public sealed class AnalyzerRegistrationTests
{
    private const string Source = """
        public sealed class Cache
        {
            public void Put(byte[] value) { }
        }

        public sealed record Upload(byte[] Content);
        """;

    public static TheoryData<DiagnosticAnalyzer> Analyzers() => new() { new BulkDataMemberAnalyzer(), new IpcQueueUsageAnalyzer(), new LargePutAnalyzer() };

    [Theory]
    [MemberData(nameof(Analyzers))]
    public async Task Without_TypedIpc_an_analyzer_registers_no_action(DiagnosticAnalyzer analyzer)
    {
        var withoutTypedIpc = TestCompilation.References.Where(reference => !reference.Display!.EndsWith("TypedIpc.dll", StringComparison.Ordinal));

        var telemetry = await TelemetryOf(analyzer, CSharpCompilation.Create("NoTypedIpc", [CSharpSyntaxTree.ParseText(Source)], withoutTypedIpc));

        Assert.Equal(0, telemetry.SymbolActionsCount + telemetry.OperationActionsCount + telemetry.SyntaxNodeActionsCount);
    }

    [Theory]
    [MemberData(nameof(Analyzers))]
    public async Task With_TypedIpc_an_analyzer_registers_its_action(DiagnosticAnalyzer analyzer)
    {
        var telemetry = await TelemetryOf(analyzer, TestCompilation.Create(Source));

        Assert.Equal(1, telemetry.SymbolActionsCount + telemetry.OperationActionsCount);
    }

    private static Task<AnalyzerTelemetryInfo> TelemetryOf(DiagnosticAnalyzer analyzer, Compilation compilation) =>
        compilation.WithAnalyzers(ImmutableArray.Create(analyzer), new CompilationWithAnalyzersOptions(
            new AnalyzerOptions([]), onAnalyzerException: null, concurrentAnalysis: false, logAnalyzerExecutionTime: false))
            .GetAnalyzerTelemetryInfoAsync(analyzer, CancellationToken.None);
}
