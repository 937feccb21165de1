using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace TypedIpc.Generators;

/// <summary>Reports <c>[IpcQueue]</c> message types that break the usage rules (TIPC101–TIPC108); see <see cref="UsageRules"/>.</summary>
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
        DiagnosticDescriptors.InvalidQueueName,
        DiagnosticDescriptors.FileLocal);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (KnownTypes.Of(start.Compilation) is { } known)
            {
                start.RegisterSymbolAction(symbolContext => AnalyzeType(symbolContext, known), SymbolKind.NamedType);
            }
        });
    }

    private static void AnalyzeType(SymbolAnalysisContext context, KnownTypes known)
    {
        var messageType = (INamedTypeSymbol)context.Symbol;
        if (IpcQueueSettings.Of(known, messageType) is not { } settings)
        {
            return;
        }

        foreach (var violation in UsageRules.Violations(known, messageType, settings, context.CancellationToken))
        {
            context.ReportDiagnostic(violation);
        }
    }
}
