using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace TypedIpc.Generators;

/// <summary>
/// The rules an <c>[IpcQueue]</c> message type must follow (TIPC101–TIPC107). The analyzer reports every violation;
/// the generator emits nothing for a type with any, so that the user sees one clear error instead of broken code.
/// </summary>
internal static class UsageRules
{
    public static IEnumerable<Diagnostic> Violations(INamedTypeSymbol messageType, IpcQueueSettings settings, CancellationToken cancellationToken)
    {
        var typeLocation = messageType.Locations.FirstOrDefault();

        if (messageType.WithContainingTypes().FirstOrDefault(type => !IsPartialEverywhere(type, cancellationToken)) is { } notPartial)
        {
            yield return Diagnostic.Create(DiagnosticDescriptors.NotPartial, typeLocation, notPartial.Name);
        }

        if (!messageType.IsMemoryPackable())
        {
            yield return Diagnostic.Create(DiagnosticDescriptors.NotMemoryPackable, typeLocation, messageType.Name);
        }

        if (messageType.WithContainingTypes().Any(type => type.IsGenericType))
        {
            yield return Diagnostic.Create(DiagnosticDescriptors.Generic, typeLocation, messageType.Name);
        }

        if (settings.MaxSize is < 0 or > KnownNames.MaxMaxSize)
        {
            yield return Diagnostic.Create(DiagnosticDescriptors.MaxSizeOutOfRange, settings.MaxSizeLocation(cancellationToken) ?? typeLocation, settings.MaxSize);
        }

        if (settings.MaxMessageBytes is < 0 or > KnownNames.MaxMaxMessageBytes)
        {
            yield return Diagnostic.Create(DiagnosticDescriptors.MaxMessageBytesOutOfRange, settings.MaxMessageBytesLocation(cancellationToken) ?? typeLocation, settings.MaxMessageBytes);
        }

        var queueTypeName = messageType.Name + KnownNames.QueueSuffix;
        if (HasForeignMember(messageType, queueTypeName))
        {
            var container = (ISymbol?)messageType.ContainingType ?? messageType.ContainingNamespace;
            var containerName = container is INamespaceSymbol { IsGlobalNamespace: true } ? "The global namespace" : container.ToDisplayString();
            yield return Diagnostic.Create(DiagnosticDescriptors.QueueNameTaken, typeLocation, containerName, queueTypeName, messageType.Name);
        }

        if (!QueueNames.IsValid(settings.Name))
        {
            yield return Diagnostic.Create(DiagnosticDescriptors.InvalidQueueName, settings.NameLocation(cancellationToken) ?? typeLocation, settings.Name);
        }
    }

    private static bool IsPartialEverywhere(INamedTypeSymbol type, CancellationToken cancellationToken) =>
        type.DeclaringSyntaxReferences.All(reference =>
            reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax declaration
            && declaration.Modifiers.Any(SyntaxKind.PartialKeyword));

    /// <summary>True when the message's container already has a member named like its queue class, other than the generated class itself.</summary>
    private static bool HasForeignMember(INamedTypeSymbol messageType, string queueTypeName)
    {
        IEnumerable<ISymbol> members = messageType.ContainingType is { } containingType
            ? containingType.GetMembers(queueTypeName)
            : messageType.ContainingNamespace.GetMembers(queueTypeName);
        return members.Any(member => member is not ITypeSymbol type || !type.IsGeneratedQueue());
    }
}
