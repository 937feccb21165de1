using System.Linq;
using System.Runtime.InteropServices;
using Microsoft.CodeAnalysis;

namespace TypedIpc.Generators;

/// <summary>
/// The size in bytes of an unmanaged value (primitives, enums, well-known structs, and structs declared in source,
/// fixed buffers included), without padding: a lower bound that is exact for the common packed cases. Fields of an
/// explicit layout overlap: such a struct ends where its furthest field ends.
/// </summary>
internal static class FixedSize
{
    /// <summary>The size, or null when it cannot be known (a reference type, or a struct from another assembly that is not well known).</summary>
    public static int? Of(KnownTypes known, ITypeSymbol type) => Of(known, type, depth: 0);

    private static int? Of(KnownTypes known, ITypeSymbol type, int depth)
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
            return Of(known, underlying, depth + 1);
        }

        if (KnownTypes.Is(type, known.TimeSpan))
        {
            return 8;
        }

        if (KnownTypes.Is(type, known.Guid) || KnownTypes.Is(type, known.DateTimeOffset))
        {
            return 16;
        }

        if (type is not INamedTypeSymbol { TypeKind: TypeKind.Struct, IsUnmanagedType: true } structType || structType.DeclaringSyntaxReferences.IsEmpty)
        {
            return null;
        }

        var isExplicit = KnownTypes.FindAttribute(structType, known.StructLayoutAttribute)?.ConstructorArguments.FirstOrDefault().Value is int kind
            && kind == (int)LayoutKind.Explicit;
        var total = 0;
        foreach (var field in structType.GetMembers().OfType<IFieldSymbol>().Where(field => !field.IsStatic && !field.IsConst))
        {
            var fieldSize = field.IsFixedSizeBuffer && field.Type is IPointerTypeSymbol pointer
                ? Of(known, pointer.PointedAtType, depth + 1) * field.FixedSize
                : Of(known, field.Type, depth + 1);
            if (fieldSize is not { } size)
            {
                return null;
            }

            total = isExplicit ? System.Math.Max(total, FieldOffset(known, field) + size) : total + size;
        }

        return total;
    }

    private static int FieldOffset(KnownTypes known, IFieldSymbol field) =>
        KnownTypes.FindAttribute(field, known.FieldOffsetAttribute)?.ConstructorArguments.FirstOrDefault().Value is int offset ? offset : 0;
}
