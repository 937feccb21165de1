using System.Linq;
using Microsoft.CodeAnalysis;

namespace TypedIpc.Generators;

/// <summary>
/// Which types carry bulk data rather than a reference to it: <c>byte[]</c>, <c>Memory&lt;byte&gt;</c>,
/// <c>ReadOnlyMemory&lt;byte&gt;</c>, <c>ArraySegment&lt;byte&gt;</c>, any <c>Stream</c>, any other collection of bytes,
/// and arrays or collections of any of these.
/// </summary>
internal static class BulkData
{
    private static readonly string[] ByteBufferTypes =
    {
        "System.Memory`1",
        "System.ReadOnlyMemory`1",
        "System.ArraySegment`1",
    };

    /// <summary>How <paramref name="type"/> carries bulk data (for the diagnostic message), or null when it does not.</summary>
    public static string? Describe(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            return Describe(nullable.TypeArguments[0]);
        }

        if (IsByteBuffer(type) || IsStream(type))
        {
            return type.ToDisplayString();
        }

        if (type is IArrayTypeSymbol array)
        {
            return Describe(array.ElementType) is { } element ? $"{type.ToDisplayString()}, an array of {element}" : null;
        }

        if (type is INamedTypeSymbol { IsGenericType: true } generic)
        {
            if (IsCollectionOfBytes(generic))
            {
                return $"{type.ToDisplayString()}, a collection of bytes";
            }

            return generic.TypeArguments.Select(Describe).FirstOrDefault(element => element is not null) is { } found
                ? $"{type.ToDisplayString()}, a collection of {found}"
                : null;
        }

        return null;
    }

    private static bool IsByteBuffer(ITypeSymbol type) => type switch
    {
        IArrayTypeSymbol { Rank: 1, ElementType.SpecialType: SpecialType.System_Byte } => true,
        INamedTypeSymbol { IsGenericType: true } named => named.TypeArguments[0].SpecialType == SpecialType.System_Byte
            && ByteBufferTypes.Any(name => named.OriginalDefinition.IsNamed(name)),
        _ => false,
    };

    private static bool IsStream(ITypeSymbol type)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (current.IsNamed("System.IO.Stream"))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsCollectionOfBytes(INamedTypeSymbol type) =>
        new[] { type }.Concat(type.AllInterfaces).Any(candidate =>
            candidate.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IEnumerable_T
            && candidate.TypeArguments[0].SpecialType == SpecialType.System_Byte);
}
