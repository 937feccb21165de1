using System.Linq;
using Microsoft.CodeAnalysis;

namespace TypedIpc.Generators;

/// <summary>
/// Which types carry bulk data rather than a reference to it: byte arrays of any rank, <c>Memory&lt;byte&gt;</c>,
/// <c>ReadOnlyMemory&lt;byte&gt;</c>, <c>ArraySegment&lt;byte&gt;</c>, <c>ReadOnlySequence&lt;byte&gt;</c>, any
/// <c>Stream</c>, any other collection of bytes, and arrays or collections of any of these.
/// </summary>
internal static class BulkData
{
    /// <summary>How <paramref name="type"/> carries bulk data (for the diagnostic message), or null when it does not.</summary>
    public static string? Describe(KnownTypes known, ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            return Describe(known, nullable.TypeArguments[0]);
        }

        if (IsByteBuffer(known, type) || KnownTypes.DerivesFrom(type, known.Stream))
        {
            return type.ToDisplayString();
        }

        if (type is IArrayTypeSymbol array)
        {
            return Describe(known, array.ElementType) is { } element ? $"{type.ToDisplayString()}, an array of {element}" : null;
        }

        // TypeArguments, not IsGenericType: a type nested in a generic one is "generic" without arguments of its own.
        if (type is INamedTypeSymbol { TypeArguments.Length: > 0 } generic)
        {
            if (IsCollectionOfBytes(generic))
            {
                return $"{type.ToDisplayString()}, a collection of bytes";
            }

            return generic.TypeArguments.Select(argument => Describe(known, argument)).FirstOrDefault(element => element is not null) is { } found
                ? $"{type.ToDisplayString()}, a collection of {found}"
                : null;
        }

        return null;
    }

    private static bool IsByteBuffer(KnownTypes known, ITypeSymbol type) => type switch
    {
        IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_Byte } => true,
        INamedTypeSymbol { TypeArguments.Length: 1 } named => named.TypeArguments[0].SpecialType == SpecialType.System_Byte
            && known.ByteBuffers.Any(buffer => KnownTypes.Is(named, buffer)),
        _ => false,
    };

    private static bool IsCollectionOfBytes(INamedTypeSymbol type) =>
        new[] { type }.Concat(type.AllInterfaces).Any(candidate =>
            candidate.OriginalDefinition.SpecialType == SpecialType.System_Collections_Generic_IEnumerable_T
            && candidate.TypeArguments[0].SpecialType == SpecialType.System_Byte);
}
