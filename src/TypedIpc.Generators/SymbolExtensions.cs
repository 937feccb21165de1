using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace TypedIpc.Generators;

internal static class SymbolExtensions
{
    /// <summary>Fully qualified, without special-type keywords or nullable shorthand, so one type has one spelling.</summary>
    private static readonly SymbolDisplayFormat CanonicalFormat = new(
        globalNamespaceStyle: SymbolDisplayGlobalNamespaceStyle.Included,
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
        genericsOptions: SymbolDisplayGenericsOptions.IncludeTypeParameters,
        miscellaneousOptions: SymbolDisplayMiscellaneousOptions.ExpandNullable);

    /// <summary>Namespaces and containing types joined by dots, without <c>global::</c>: <c>MyApp.Outer.Job</c>.</summary>
    private static readonly SymbolDisplayFormat DottedFullNameFormat = new(
        globalNamespaceStyle: SymbolDisplayGlobalNamespaceStyle.Omitted,
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces);

    public static string ToCanonicalName(this ITypeSymbol type) => type.ToDisplayString(CanonicalFormat);

    public static string ToDottedFullName(this INamedTypeSymbol type) => type.ToDisplayString(DottedFullNameFormat);

    public static string ToFullyQualifiedName(this ITypeSymbol type) => type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);

    public static bool HasAttribute(this ISymbol symbol, string metadataName) => symbol.FindAttribute(metadataName) is not null;

    public static AttributeData? FindAttribute(this ISymbol symbol, string metadataName) =>
        symbol.GetAttributes().FirstOrDefault(attribute => attribute.AttributeClass?.IsNamed(metadataName) == true);

    public static IEnumerable<AttributeData> FindAttributes(this ISymbol symbol, string metadataName) =>
        symbol.GetAttributes().Where(attribute => attribute.AttributeClass?.IsNamed(metadataName) == true);

    /// <summary>True when the type's metadata name (namespace + name + arity) is <paramref name="metadataName"/>.</summary>
    public static bool IsNamed(this ITypeSymbol type, string metadataName)
    {
        var lastDot = metadataName.LastIndexOf('.');
        var name = metadataName.Substring(lastDot + 1);
        var containingNamespace = lastDot < 0 ? string.Empty : metadataName.Substring(0, lastDot);
        return type.MetadataName == name
            && type.ContainingType is null
            && type.ContainingNamespace?.ToDisplayString() is { } ns
            && (ns == containingNamespace || (containingNamespace.Length == 0 && type.ContainingNamespace.IsGlobalNamespace));
    }

    public static bool IsMemoryPackable(this ITypeSymbol type) => type.HasAttribute(KnownNames.MemoryPackableAttribute);

    /// <summary>True for the <c>XQueue</c> classes the TypedIpc generator emits.</summary>
    public static bool IsGeneratedQueue(this ITypeSymbol type) =>
        type.FindAttributes(KnownNames.GeneratedCodeAttribute).Any(attribute =>
            attribute.ConstructorArguments.Length > 0 && attribute.ConstructorArguments[0].Value as string == KnownNames.GeneratorToolName);

    /// <summary>The type and its containing types, outermost first.</summary>
    public static IEnumerable<INamedTypeSymbol> WithContainingTypes(this INamedTypeSymbol type)
    {
        var chain = new Stack<INamedTypeSymbol>();
        for (var current = type; current is not null; current = current.ContainingType)
        {
            chain.Push(current);
        }

        return chain;
    }

    /// <summary>The keyword(s) that redeclare the type: <c>class</c>, <c>record</c>, <c>struct</c>, <c>record struct</c>, <c>interface</c>.</summary>
    public static string DeclarationKeyword(this INamedTypeSymbol type) => (type.IsRecord, type.TypeKind) switch
    {
        (true, TypeKind.Struct) => "record struct",
        (true, _) => "record",
        (_, TypeKind.Struct) => "struct",
        (_, TypeKind.Interface) => "interface",
        _ => "class",
    };

    public static string AccessibilityKeyword(this INamedTypeSymbol type) => type.DeclaredAccessibility switch
    {
        Accessibility.Public => "public",
        Accessibility.Protected => "protected",
        Accessibility.ProtectedOrInternal => "protected internal",
        Accessibility.ProtectedAndInternal => "private protected",
        Accessibility.Private => "private",
        _ => "internal",
    };
}
