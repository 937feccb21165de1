using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace TypedIpc.Generators;

/// <summary>
/// TIPC002: a <c>Put</c>, <c>PutNowait</c>, <c>TryPut</c> or <c>PutAsync</c> on a <c>SharedQueue&lt;T&gt;</c>, an <c>IIpcQueue&lt;T&gt;</c> or a generated queue
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

    private const string OpenMethod = "Open";
    private const string MaxMessageBytesProperty = "MaxMessageBytes";

    private static readonly ImmutableHashSet<string> PutMethods = ImmutableHashSet.Create("Put", "PutNowait", "TryPut", "PutAsync");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.LargePut);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (KnownTypes.Of(start.Compilation) is { } known)
            {
                start.RegisterOperationAction(operationContext => AnalyzeInvocation(operationContext, known), OperationKind.Invocation);
            }
        });
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, KnownTypes known)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        if (!PutMethods.Contains(method.Name) || !IsQueue(known, method.ContainingType) || method.Parameters.IsEmpty)
        {
            return;
        }

        var item = invocation.Arguments.FirstOrDefault(argument => argument.Parameter?.Ordinal == 0);
        if (item is null)
        {
            return;
        }

        var reason = LargePayload.Find(known, item.Value, Threshold(context)) ?? OversizedStruct(known, invocation, method.Parameters[0].Type);
        if (reason is not null)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.LargePut, item.Syntax.GetLocation(), reason));
        }
    }

    private static bool IsQueue(KnownTypes known, INamedTypeSymbol type) =>
        KnownTypes.Is(type, known.SharedQueue) || KnownTypes.Is(type, known.QueueInterface) || known.IsGeneratedQueue(type);

    private static int Threshold(OperationAnalysisContext context) =>
        context.Options.AnalyzerConfigOptionsProvider.GetOptions(context.Operation.Syntax.SyntaxTree).TryGetValue(ThresholdOption, out var text)
        && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var threshold)
        && threshold > 0
            ? threshold
            : DefaultThresholdBytes;

    /// <summary>A fixed-size struct always serializes to its full size, so a put of one bigger than the queue's limit always fails.</summary>
    private static string? OversizedStruct(KnownTypes known, IInvocationOperation put, ITypeSymbol itemType)
    {
        if (!itemType.IsValueType || FixedSize.Of(known, itemType) is not { } size || MessageLimit(known, put, itemType) is not { } limit)
        {
            return null;
        }

        return size > limit ? $"'{itemType.Name}' is a fixed-size struct of {size} bytes, more than the queue's MaxMessageBytes of {limit}" : null;
    }

    /// <summary>
    /// The queue's per-message limit: the message's <c>[IpcQueue(MaxMessageBytes)]</c>, which a generated queue always
    /// uses, else the <c>QueueOptions</c> the queue is visibly opened with (a local initialized by the <c>Open</c> of
    /// <c>SharedQueue&lt;T&gt;</c> or of a generated queue), else the default. Null when the options passed are not
    /// known at compile time.
    /// </summary>
    private static int? MessageLimit(KnownTypes known, IInvocationOperation put, ITypeSymbol itemType)
    {
        var declared = itemType is INamedTypeSymbol named && IpcQueueSettings.Of(known, named) is { MaxMessageBytes: > 0 } settings
            ? settings.MaxMessageBytes
            : (int?)null;
        if (declared is { } fixedByAttribute && known.IsGeneratedQueue(put.TargetMethod.ContainingType))
        {
            return fixedByAttribute;
        }

        if (put.Instance is not ILocalReferenceOperation local
            || Unwrap(LargePayload.LocalInitializer(local)) is not IInvocationOperation open
            || !IsQueueOpen(known, open.TargetMethod))
        {
            return declared ?? KnownNames.DefaultMaxMessageBytes;
        }

        var options = open.Arguments.FirstOrDefault(argument => KnownTypes.Is(argument.Parameter?.Type, known.QueueOptions));
        if (options is null || options.ArgumentKind == ArgumentKind.DefaultValue || Unwrap(options.Value) is { ConstantValue: { HasValue: true, Value: null } })
        {
            return declared ?? KnownNames.DefaultMaxMessageBytes;
        }

        return Unwrap(options.Value) is IObjectCreationOperation creation && KnownTypes.Is(creation.Type, known.QueueOptions)
            ? MaxMessageBytesOf(creation)
            : null;
    }

    /// <summary>The static <c>Open</c> of <c>SharedQueue&lt;T&gt;</c> or of a generated queue, whose options are the queue's.</summary>
    private static bool IsQueueOpen(KnownTypes known, IMethodSymbol method) =>
        method is { IsStatic: true, Name: OpenMethod }
        && (KnownTypes.Is(method.ContainingType, known.SharedQueue) || known.IsGeneratedQueue(method.ContainingType));

    /// <summary>The <c>MaxMessageBytes</c> a <c>new QueueOptions { ... }</c> sets: the default when it sets none, null when not a constant.</summary>
    private static int? MaxMessageBytesOf(IObjectCreationOperation creation)
    {
        var assignment = creation.Initializer?.Initializers.OfType<ISimpleAssignmentOperation>()
            .FirstOrDefault(candidate => candidate.Target is IPropertyReferenceOperation { Property.Name: MaxMessageBytesProperty });
        if (assignment is null)
        {
            return KnownNames.DefaultMaxMessageBytes;
        }

        return assignment.Value.ConstantValue is { HasValue: true, Value: int value } ? value : null;
    }

    private static IOperation? Unwrap(IOperation? operation) => operation is IConversionOperation conversion ? Unwrap(conversion.Operand) : operation;
}
