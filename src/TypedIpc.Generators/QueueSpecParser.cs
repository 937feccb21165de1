using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace TypedIpc.Generators;

/// <summary>Turns an <c>[IpcQueue]</c> type into the <see cref="QueueSpec"/> the emitter writes, leaving every symbol behind.</summary>
internal static class QueueSpecParser
{
    /// <summary>The type's spec, or null when it breaks a usage rule (the analyzer reports it; emitting would only add errors).</summary>
    public static QueueSpec? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol messageType || IpcQueueSettings.Of(messageType) is not { } settings)
        {
            return null;
        }

        if (UsageRules.Violations(messageType, settings, cancellationToken).Any())
        {
            return null;
        }

        var containingTypes = messageType.WithContainingTypes()
            .Where(type => !SymbolEqualityComparer.Default.Equals(type, messageType))
            .Select(type => new ContainingTypeSpec(type.DeclarationKeyword(), type.Name))
            .ToImmutableArray();
        var namespaceName = messageType.ContainingNamespace.IsGlobalNamespace ? string.Empty : messageType.ContainingNamespace.ToDisplayString();

        return new QueueSpec(
            HintName: messageType.ToDottedFullName() + KnownNames.QueueSuffix + ".g.cs",
            Namespace: namespaceName,
            ContainingTypes: new EquatableArray<ContainingTypeSpec>(containingTypes),
            MessageName: messageType.Name,
            MessageKeyword: messageType.DeclarationKeyword(),
            MessageTypeName: messageType.ToFullyQualifiedName(),
            Accessibility: messageType.AccessibilityKeyword(),
            DefaultName: settings.Name,
            MaxSize: settings.MaxSize,
            MaxMessageBytes: settings.MaxMessageBytes,
            SchemaFingerprint: SchemaFingerprint.Of(messageType));
    }
}
