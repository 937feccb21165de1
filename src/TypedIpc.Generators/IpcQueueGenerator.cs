using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace TypedIpc.Generators;

/// <summary>
/// Emits, for each <c>[IpcQueue]</c> message type <c>X</c>, the typed queue class <c>XQueue</c> over
/// <c>SharedQueue&lt;X&gt;</c> (and, when the compilation references TypedIpc.Nats, over <c>NatsQueue&lt;X&gt;</c>)
/// and a partial declaration of <c>X</c> carrying its schema fingerprint. Types that break the usage rules get
/// nothing; <see cref="IpcQueueUsageAnalyzer"/> reports why.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class IpcQueueGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var specs = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownNames.IpcQueueAttribute,
                static (node, _) => node is TypeDeclarationSyntax,
                static (attributeContext, cancellationToken) => QueueSpecParser.Parse(attributeContext, cancellationToken))
            .WithTrackingName(TrackingNames.QueueSpecs)
            .Where(static spec => spec is not null)
            .Select(static (spec, _) => spec!)
            .WithTrackingName(TrackingNames.ValidQueueSpecs);

        // A bool, not the compilation: every edit produces a new compilation, but the bool stays equal, so the outputs
        // stay cached unless a message changes or the reference to TypedIpc.Nats comes or goes.
        var natsReferenced = context.CompilationProvider
            .Select(static (compilation, _) => compilation.GetTypeByMetadataName(KnownNames.NatsQueue) is not null)
            .WithTrackingName(TrackingNames.NatsReferenced);

        var outputs = specs.Combine(natsReferenced).WithTrackingName(TrackingNames.QueueOutputs);

        context.RegisterSourceOutput(outputs, static (output, pair) => output.AddSource(pair.Left.HintName, QueueEmitter.Emit(pair.Left, natsReferenced: pair.Right)));
    }
}
