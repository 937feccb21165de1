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
    /// <summary>The <c>GenerateType</c> values whose wire format tolerates added and removed members.</summary>
    private static readonly string[] VersionTolerantGenerateTypes = { "VersionTolerant", "CircularReference" };

    public static ImmutableArray<ISymbol> Of(KnownTypes known, INamedTypeSymbol type)
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
            .Where((member, index) => lastIndexByName[member.Name] == index && IsSerialized(known, member))
            .Select((member, position) => (member, order: ExplicitOrder(known, member) ?? position))
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
    public static ImmutableArray<(int Tag, INamedTypeSymbol Case)> UnionCases(KnownTypes known, INamedTypeSymbol type) =>
        type.GetAttributes()
            .Where(attribute => KnownTypes.Is(attribute.AttributeClass, known.MemoryPackUnionAttribute)
                && attribute.ConstructorArguments.Length == 2
                && attribute.ConstructorArguments[1].Value is INamedTypeSymbol)
            .Select(attribute => (Tag: System.Convert.ToInt32(attribute.ConstructorArguments[0].Value), Case: (INamedTypeSymbol)attribute.ConstructorArguments[1].Value!))
            .OrderBy(unionCase => unionCase.Tag)
            .ToImmutableArray();

    /// <summary>
    /// True for <c>[MemoryPackable(GenerateType.VersionTolerant)]</c> and <c>CircularReference</c>: processes built with
    /// members added or removed still read each other's messages, so those members are no part of the schema.
    /// </summary>
    public static bool IsVersionTolerant(KnownTypes known, INamedTypeSymbol type) =>
        KnownTypes.FindAttribute(type, known.MemoryPackableAttribute) is { } memoryPackable
        && memoryPackable.ConstructorArguments.Any(argument => argument is { Kind: TypedConstantKind.Enum, Type: INamedTypeSymbol enumType }
            && KnownTypes.Is(enumType, known.MemoryPackGenerateType)
            && enumType.GetMembers().OfType<IFieldSymbol>().Any(field => field.HasConstantValue
                && Equals(field.ConstantValue, argument.Value)
                && VersionTolerantGenerateTypes.Contains(field.Name)));

    private static IEnumerable<ISymbol> AllMembersBaseFirst(INamedTypeSymbol type)
    {
        var members = type.BaseType is { } baseType ? AllMembersBaseFirst(baseType) : Enumerable.Empty<ISymbol>();
        return members.Where(member => !member.IsOverride).Concat(type.GetMembers().Where(member => !member.IsOverride));
    }

    private static bool IsSerialized(KnownTypes known, ISymbol member)
    {
        if (KnownTypes.HasAttribute(member, known.MemoryPackIgnoreAttribute))
        {
            return false;
        }

        if (member is IPropertySymbol { IsIndexer: true } or IPropertySymbol { GetMethod: null })
        {
            return false;
        }

        return KnownTypes.HasAttribute(member, known.MemoryPackIncludeAttribute) || member.DeclaredAccessibility == Accessibility.Public;
    }

    private static int? ExplicitOrder(KnownTypes known, ISymbol member) =>
        KnownTypes.FindAttribute(member, known.MemoryPackOrderAttribute)?.ConstructorArguments.FirstOrDefault().Value is int order ? order : null;
}
