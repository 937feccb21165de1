using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace TypedIpc.Generators;

/// <summary>
/// The rules an <c>[IpcQueue]</c> message type must follow (TIPC101–TIPC108). The analyzer reports every violation;
/// the generator emits nothing for a type with any, so that the user sees one clear error instead of broken code.
/// </summary>
internal static class UsageRules
{
    public static IEnumerable<Diagnostic> Violations(KnownTypes known, INamedTypeSymbol messageType, IpcQueueSettings settings, CancellationToken cancellationToken)
    {
        var typeLocation = messageType.Locations.FirstOrDefault();

        if (messageType.WithContainingTypes().FirstOrDefault(type => !IsPartialEverywhere(type, cancellationToken)) is { } notPartial)
        {
            yield return Diagnostic.Create(DiagnosticDescriptors.NotPartial, typeLocation, notPartial.Name);
        }

        if (!known.IsMemoryPackable(messageType))
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
        if (NameClash(known, messageType, queueTypeName, cancellationToken) is { } clash)
        {
            yield return Diagnostic.Create(DiagnosticDescriptors.QueueNameTaken, typeLocation, clash, queueTypeName, messageType.Name);
        }

        if (!QueueNames.IsValid(settings.Name))
        {
            yield return Diagnostic.Create(DiagnosticDescriptors.InvalidQueueName, settings.NameLocation(cancellationToken) ?? typeLocation, settings.Name);
        }

        if (messageType.WithContainingTypes().Any(type => type.IsFileLocal))
        {
            yield return Diagnostic.Create(DiagnosticDescriptors.FileLocal, typeLocation, messageType.Name);
        }
    }

    private static bool IsPartialEverywhere(INamedTypeSymbol type, CancellationToken cancellationToken) =>
        type.DeclaringSyntaxReferences.All(reference =>
            reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax declaration
            && declaration.Modifiers.Any(SyntaxKind.PartialKeyword));

    /// <summary>
    /// What already takes the queue class's name (for the message), or null when nothing does: the containing type
    /// itself (a type cannot declare a member of its own name), or a member of the message's container other than the
    /// generated class and a user's <c>partial class</c> that extends it.
    /// </summary>
    private static string? NameClash(KnownTypes known, INamedTypeSymbol messageType, string queueTypeName, CancellationToken cancellationToken)
    {
        if (messageType.ContainingType is { } containingType)
        {
            if (containingType.Name == queueTypeName)
            {
                return $"its containing type '{containingType.ToDisplayString()}'";
            }

            return containingType.GetMembers(queueTypeName).Any(member => !IsQueueOrExtension(known, member, cancellationToken))
                ? $"a member of '{containingType.ToDisplayString()}'"
                : null;
        }

        var ns = messageType.ContainingNamespace;
        return ns.GetMembers(queueTypeName).Any(member => !IsQueueOrExtension(known, member, cancellationToken))
            ? ns.IsGlobalNamespace ? "a type of the global namespace" : $"a type of namespace '{ns.ToDisplayString()}'"
            : null;
    }

    /// <summary>The generated queue class, or a non-generic class the user declared partial everywhere to add members to it.</summary>
    private static bool IsQueueOrExtension(KnownTypes known, ISymbol member, CancellationToken cancellationToken) =>
        member is INamedTypeSymbol type
        && (known.IsGeneratedQueue(type)
            || (type is { TypeKind: TypeKind.Class, IsRecord: false, Arity: 0, IsStatic: false } && IsPartialEverywhere(type, cancellationToken)));
}
