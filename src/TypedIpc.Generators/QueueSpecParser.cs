using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace TypedIpc.Generators;

/// <summary>Turns an <c>[IpcQueue]</c> type into the <see cref="QueueSpec"/> the emitter writes, leaving every symbol behind.</summary>
internal static class QueueSpecParser
{
    /// <summary>
    /// The type's spec, or null when it breaks a usage rule (the analyzer reports it; emitting would only add errors),
    /// or when <paramref name="context"/> is not the declaration that carries the type's first <c>[IpcQueue]</c>: a
    /// second one on another partial declaration is the compiler's CS0579, and a second spec would emit a second file
    /// of the same name, which fails the whole generator.
    /// </summary>
    public static QueueSpec? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol messageType
            || KnownTypes.Of(context.SemanticModel.Compilation) is not { } known
            || IpcQueueSettings.Of(known, messageType) is not { } settings
            || !Declares(context.TargetNode, settings.Attribute))
        {
            return null;
        }

        if (UsageRules.Violations(known, messageType, settings, cancellationToken).Any())
        {
            return null;
        }

        var containingTypes = messageType.WithContainingTypes()
            .Where(type => !SymbolEqualityComparer.Default.Equals(type, messageType))
            .Select(type => new ContainingTypeSpec(type.DeclarationKeyword(), type.ToIdentifier()))
            .ToImmutableArray();
        var carriedAttributes = messageType.GetAttributes()
            .Where(attribute => KnownTypes.Is(attribute.AttributeClass, known.ObsoleteAttribute) || KnownTypes.Is(attribute.AttributeClass, known.ExperimentalAttribute))
            .Select(ToSource)
            .ToImmutableArray();

        return new QueueSpec(
            HintName: messageType.ToDottedFullName() + KnownNames.QueueSuffix + ".g.cs",
            Namespace: messageType.ContainingNamespace.IsGlobalNamespace ? string.Empty : messageType.ContainingNamespace.ToSourceName(),
            ContainingTypes: new EquatableArray<ContainingTypeSpec>(containingTypes),
            MessageIdentifier: messageType.ToIdentifier(),
            QueueName: messageType.Name + KnownNames.QueueSuffix,
            MessageKeyword: messageType.DeclarationKeyword(),
            MessageTypeName: messageType.ToFullyQualifiedName(),
            Accessibility: messageType.AccessibilityKeyword(),
            CarriedAttributes: new EquatableArray<string>(carriedAttributes),
            DefaultName: settings.Name,
            MaxSize: settings.MaxSize,
            MaxMessageBytes: settings.MaxMessageBytes,
            Joinable: settings.Joinable,
            SchemaFingerprint: SchemaFingerprint.Of(known, messageType));
    }

    /// <summary>True when <paramref name="attribute"/> is written on the declaration <paramref name="declaration"/>.</summary>
    private static bool Declares(SyntaxNode declaration, AttributeData attribute) =>
        attribute.ApplicationSyntaxReference is { } reference
        && reference.SyntaxTree == declaration.SyntaxTree
        && declaration.Span.Contains(reference.Span);

    /// <summary>The attribute as source: <c>[global::System.ObsoleteAttribute("Use JobV2.", DiagnosticId = "X1")]</c>.</summary>
    private static string ToSource(AttributeData attribute)
    {
        var arguments = attribute.ConstructorArguments.Select(argument => argument.ToCSharpString())
            .Concat(attribute.NamedArguments.Select(argument => $"{argument.Key} = {argument.Value.ToCSharpString()}"));
        return $"[{attribute.AttributeClass!.ToFullyQualifiedName()}({string.Join(", ", arguments)})]";
    }
}
