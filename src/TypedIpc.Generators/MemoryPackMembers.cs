using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace TypedIpc.Generators;

/// <summary>
/// Which members of a <c>[MemoryPackable]</c> type MemoryPack serializes, and in which order, following MemoryPack's
/// own rules: instance fields and properties of the type and its base types (base first, a redeclared name counted
/// once at its last place), public ones plus those marked <c>[MemoryPackInclude]</c>, minus <c>[MemoryPackIgnore]</c>,
/// set-only properties and indexers, ordered by <c>[MemoryPackOrder]</c> where given and by position otherwise.
/// </summary>
internal static class MemoryPackMembers
{
    public static ImmutableArray<ISymbol> Of(INamedTypeSymbol type)
    {
        var candidates = AllMembersBaseFirst(type)
            .Where(member => member is IFieldSymbol or IPropertySymbol
                && !member.IsStatic
                && !member.IsImplicitlyDeclared
                && member.CanBeReferencedByName)
            .ToList();

        var lastIndexByName = new Dictionary<string, int>();
        for (var i = 0; i < candidates.Count; i++)
        {
            lastIndexByName[candidates[i].Name] = i;
        }

        return candidates
            .Where((member, index) => lastIndexByName[member.Name] == index && IsSerialized(member))
            .Select((member, position) => (member, order: ExplicitOrder(member) ?? position))
            .OrderBy(entry => entry.order)
            .Select(entry => entry.member)
            .ToImmutableArray();
    }

    public static ITypeSymbol TypeOf(ISymbol member) => member switch
    {
        IFieldSymbol field => field.Type,
        IPropertySymbol property => property.Type,
        _ => throw new System.ArgumentException($"'{member}' is neither a field nor a property.", nameof(member)),
    };

    /// <summary>The <c>[MemoryPackUnion(tag, typeof(Case))]</c> cases of a union type, in tag order; empty for other types.</summary>
    public static ImmutableArray<(int Tag, INamedTypeSymbol Case)> UnionCases(INamedTypeSymbol type) =>
        type.FindAttributes(KnownNames.MemoryPackUnionAttribute)
            .Where(attribute => attribute.ConstructorArguments.Length == 2
                && attribute.ConstructorArguments[1].Value is INamedTypeSymbol)
            .Select(attribute => (Tag: System.Convert.ToInt32(attribute.ConstructorArguments[0].Value), Case: (INamedTypeSymbol)attribute.ConstructorArguments[1].Value!))
            .OrderBy(unionCase => unionCase.Tag)
            .ToImmutableArray();

    private static IEnumerable<ISymbol> AllMembersBaseFirst(INamedTypeSymbol type)
    {
        var members = type.BaseType is { } baseType ? AllMembersBaseFirst(baseType) : Enumerable.Empty<ISymbol>();
        return members.Where(member => !member.IsOverride).Concat(type.GetMembers().Where(member => !member.IsOverride));
    }

    private static bool IsSerialized(ISymbol member)
    {
        if (member.HasAttribute(KnownNames.MemoryPackIgnoreAttribute))
        {
            return false;
        }

        if (member is IPropertySymbol { IsIndexer: true } or IPropertySymbol { GetMethod: null })
        {
            return false;
        }

        return member.HasAttribute(KnownNames.MemoryPackIncludeAttribute) || member.DeclaredAccessibility == Accessibility.Public;
    }

    private static int? ExplicitOrder(ISymbol member) =>
        member.FindAttribute(KnownNames.MemoryPackOrderAttribute)?.ConstructorArguments.FirstOrDefault().Value is int order ? order : null;
}
