using System.Collections.Generic;
using System.Text;
using Microsoft.CodeAnalysis;

namespace TypedIpc.Generators;

/// <summary>
/// The schema fingerprint the generator bakes into a message type as <c>[IpcSchemaFingerprint]</c>: the 64-bit FNV-1a
/// hash (offset basis 0xcbf29ce484222325, prime 0x100000001b3) of the UTF-8 bytes of the type's canonical schema.
/// </summary>
/// <remarks>
/// The canonical schema of the message type is <c>"typedipc-schema/1 " + Describe(type)</c>, where
/// <list type="bullet">
/// <item><c>Describe</c> of a <c>[MemoryPackable]</c> union (a type with <c>[MemoryPackUnion]</c> attributes) is its name,
/// then <c>"union{"</c>, its cases in tag order as <c>tag "=" Describe(case)</c> joined by <c>";"</c>, then <c>"}"</c>;</item>
/// <item><c>Describe</c> of any other <c>[MemoryPackable]</c> type is its name, then <c>"{"</c>, its serialized members
/// (see <see cref="MemoryPackMembers"/>) in serialization order as <c>memberName ":" Describe(memberType)</c> joined by
/// <c>";"</c>, then <c>"}"</c>;</item>
/// <item><c>Describe</c> of an array is <c>Describe(element) "[" commas "]"</c>, of a constructed generic type its
/// name, then <c>"&lt;"</c>, <c>Describe</c> of each type argument joined by <c>","</c>, then <c>"&gt;"</c>;</item>
/// <item>a name is the fully qualified name with <c>global::</c>, no keyword aliases (<c>global::System.Int32</c>) and
/// <c>Nullable&lt;T&gt;</c> spelled out; any other type, and a <c>[MemoryPackable]</c> type already being described
/// (a cycle) or described before, is written as its name alone.</item>
/// </list>
/// The same source gives the same fingerprint on every machine; renaming, retyping, adding, removing or reordering
/// a serialized member anywhere in the message's <c>[MemoryPackable]</c> graph changes it.
/// </remarks>
internal static class SchemaFingerprint
{
    private const string SchemaPrefix = "typedipc-schema/1 ";

    public static ulong Of(INamedTypeSymbol messageType) => Fnv1a64(CanonicalSchema(messageType));

    public static string CanonicalSchema(INamedTypeSymbol messageType)
    {
        var schema = new StringBuilder(SchemaPrefix);
        Describe(messageType, schema, new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default));
        return schema.ToString();
    }

    public static ulong Fnv1a64(string text)
    {
        ulong hash = 0xcbf29ce484222325;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = unchecked((hash ^ b) * 0x100000001b3);
        }

        return hash;
    }

    private static void Describe(ITypeSymbol type, StringBuilder schema, HashSet<ITypeSymbol> described)
    {
        switch (type)
        {
            case IArrayTypeSymbol array:
                Describe(array.ElementType, schema, described);
                schema.Append('[').Append(',', array.Rank - 1).Append(']');
                return;
            case INamedTypeSymbol named when named.IsMemoryPackable() && described.Add(named):
                DescribeMemoryPackable(named, schema, described);
                return;
            case INamedTypeSymbol { IsGenericType: true } generic:
                schema.Append(generic.ConstructUnboundGenericType().ToCanonicalName().Split('<')[0]).Append('<');
                for (var i = 0; i < generic.TypeArguments.Length; i++)
                {
                    schema.Append(i == 0 ? string.Empty : ",");
                    Describe(generic.TypeArguments[i], schema, described);
                }

                schema.Append('>');
                return;
            default:
                schema.Append(type.ToCanonicalName());
                return;
        }
    }

    private static void DescribeMemoryPackable(INamedTypeSymbol type, StringBuilder schema, HashSet<ITypeSymbol> described)
    {
        schema.Append(type.ToCanonicalName());
        var unionCases = MemoryPackMembers.UnionCases(type);
        if (unionCases.Length > 0)
        {
            schema.Append("union{");
            for (var i = 0; i < unionCases.Length; i++)
            {
                schema.Append(i == 0 ? string.Empty : ";").Append(unionCases[i].Tag).Append('=');
                Describe(unionCases[i].Case, schema, described);
            }
        }
        else
        {
            schema.Append('{');
            var members = MemoryPackMembers.Of(type);
            for (var i = 0; i < members.Length; i++)
            {
                schema.Append(i == 0 ? string.Empty : ";").Append(members[i].Name).Append(':');
                Describe(MemoryPackMembers.TypeOf(members[i]), schema, described);
            }
        }

        schema.Append('}');
    }
}
