using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace TypedIpc.Generators;

/// <summary>
/// TIPC002: a <c>Put</c>, <c>PutNowait</c> or <c>TryPut</c> on a <c>SharedQueue&lt;T&gt;</c> or a generated queue
/// whose item is visibly large (see <see cref="LargePayload"/>), or whose fixed-size struct type is larger than the
/// queue's per-message limit. The threshold is the <c>.editorconfig</c> option <c>typedipc.large_payload_bytes</c>
/// (default <see cref="DefaultThresholdBytes"/>, the runtime's default per-message limit).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LargePutAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The <c>.editorconfig</c> key of the size, in bytes, above which a payload counts as large.</summary>
    public const string ThresholdOption = "typedipc.large_payload_bytes";

    /// <summary>The threshold when <see cref="ThresholdOption"/> is unset: 4096 bytes.</summary>
    public const int DefaultThresholdBytes = KnownNames.DefaultMaxMessageBytes;

    private static readonly ImmutableHashSet<string> PutMethods = ImmutableHashSet.Create("Put", "PutNowait", "TryPut");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.LargePut);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterOperationAction(AnalyzeInvocation, OperationKind.Invocation);
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        if (!PutMethods.Contains(method.Name) || !IsQueue(method.ContainingType) || method.Parameters.IsEmpty)
        {
            return;
        }

        var item = invocation.Arguments.FirstOrDefault(argument => argument.Parameter?.Ordinal == 0);
        if (item is null)
        {
            return;
        }

        var reason = LargePayload.Find(item.Value, Threshold(context)) ?? OversizedStruct(method.Parameters[0].Type);
        if (reason is not null)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.LargePut, item.Syntax.GetLocation(), reason));
        }
    }

    private static bool IsQueue(INamedTypeSymbol type) => type.OriginalDefinition.IsNamed(KnownNames.SharedQueue) || type.IsGeneratedQueue();

    private static int Threshold(OperationAnalysisContext context) =>
        context.Options.AnalyzerConfigOptionsProvider.GetOptions(context.Operation.Syntax.SyntaxTree).TryGetValue(ThresholdOption, out var text)
        && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var threshold)
        && threshold > 0
            ? threshold
            : DefaultThresholdBytes;

    /// <summary>A fixed-size struct always serializes to its full size, so a put of one bigger than the queue's limit always fails.</summary>
    private static string? OversizedStruct(ITypeSymbol itemType)
    {
        if (!itemType.IsValueType || FixedSize.Of(itemType) is not { } size)
        {
            return null;
        }

        var limit = itemType is INamedTypeSymbol named && IpcQueueSettings.Of(named) is { } settings
            ? settings.EffectiveMaxMessageBytes
            : KnownNames.DefaultMaxMessageBytes;
        return size > limit ? $"'{itemType.Name}' is a fixed-size struct of {size} bytes, more than the queue's MaxMessageBytes of {limit}" : null;
    }
}
