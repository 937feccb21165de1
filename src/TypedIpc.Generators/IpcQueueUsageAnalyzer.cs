using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace TypedIpc.Generators;

/// <summary>Reports <c>[IpcQueue]</c> message types that break the usage rules (TIPC101–TIPC107); see <see cref="UsageRules"/>.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class IpcQueueUsageAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.NotPartial,
        DiagnosticDescriptors.NotMemoryPackable,
        DiagnosticDescriptors.Generic,
        DiagnosticDescriptors.MaxSizeOutOfRange,
        DiagnosticDescriptors.MaxMessageBytesOutOfRange,
        DiagnosticDescriptors.QueueNameTaken,
        DiagnosticDescriptors.InvalidQueueName);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterSymbolAction(AnalyzeType, SymbolKind.NamedType);
    }

    private static void AnalyzeType(SymbolAnalysisContext context)
    {
        var messageType = (INamedTypeSymbol)context.Symbol;
        if (IpcQueueSettings.Of(messageType) is not { } settings)
        {
            return;
        }

        foreach (var violation in UsageRules.Violations(messageType, settings, context.CancellationToken))
        {
            context.ReportDiagnostic(violation);
        }
    }
}
