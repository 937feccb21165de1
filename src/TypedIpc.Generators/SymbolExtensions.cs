using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

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

    /// <summary>A namespace as C# source spells it, keywords escaped: <c>MyApp.@event</c>.</summary>
    private static readonly SymbolDisplayFormat NamespaceSourceFormat = new(
        globalNamespaceStyle: SymbolDisplayGlobalNamespaceStyle.Omitted,
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
        miscellaneousOptions: SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers);

    public static string ToCanonicalName(this ITypeSymbol type) => type.ToDisplayString(CanonicalFormat);

    public static string ToDottedFullName(this INamedTypeSymbol type) => type.ToDisplayString(DottedFullNameFormat);

    public static string ToFullyQualifiedName(this ITypeSymbol type) => type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);

    public static string ToSourceName(this INamespaceSymbol ns) => ns.ToDisplayString(NamespaceSourceFormat);

    /// <summary>The name as an identifier in source: <c>@class</c> for a type named <c>class</c>.</summary>
    public static string ToIdentifier(this ISymbol symbol) =>
        SyntaxFacts.GetKeywordKind(symbol.Name) == SyntaxKind.None ? symbol.Name : "@" + symbol.Name;

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
