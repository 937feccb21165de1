using System.Linq;
using Microsoft.CodeAnalysis;

namespace TypedIpc.Generators;

/// <summary>
/// The size in bytes of an unmanaged value (primitives, enums, well-known structs, and structs declared in source,
/// fixed buffers included), without padding: a lower bound that is exact for the common packed cases.
/// </summary>
internal static class FixedSize
{
    /// <summary>The size, or null when it cannot be known (a reference type, or a struct from another assembly that is not well known).</summary>
    public static int? Of(ITypeSymbol type) => Of(type, depth: 0);

    private static int? Of(ITypeSymbol type, int depth)
    {
        if (depth > 16)
        {
            return null;
        }

        switch (type.SpecialType)
        {
            case SpecialType.System_Boolean or SpecialType.System_Byte or SpecialType.System_SByte:
                return 1;
            case SpecialType.System_Char or SpecialType.System_Int16 or SpecialType.System_UInt16:
                return 2;
            case SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Single:
                return 4;
            case SpecialType.System_Int64 or SpecialType.System_UInt64 or SpecialType.System_Double
                or SpecialType.System_IntPtr or SpecialType.System_UIntPtr or SpecialType.System_DateTime:
                return 8;
            case SpecialType.System_Decimal:
                return 16;
        }

        if (type is INamedTypeSymbol { TypeKind: TypeKind.Enum, EnumUnderlyingType: { } underlying })
        {
            return Of(underlying, depth + 1);
        }

        if (type.IsNamed("System.TimeSpan"))
        {
            return 8;
        }

        if (type.IsNamed("System.Guid") || type.IsNamed("System.DateTimeOffset"))
        {
            return 16;
        }

        if (type is not INamedTypeSymbol { TypeKind: TypeKind.Struct, IsUnmanagedType: true } structType || structType.DeclaringSyntaxReferences.IsEmpty)
        {
            return null;
        }

        var total = 0;
        foreach (var field in structType.GetMembers().OfType<IFieldSymbol>().Where(field => !field.IsStatic && !field.IsConst))
        {
            var fieldSize = field.IsFixedSizeBuffer && field.Type is IPointerTypeSymbol pointer
                ? Of(pointer.PointedAtType, depth + 1) * field.FixedSize
                : Of(field.Type, depth + 1);
            if (fieldSize is not { } size)
            {
                return null;
            }

            total += size;
        }

        return total;
    }
}
