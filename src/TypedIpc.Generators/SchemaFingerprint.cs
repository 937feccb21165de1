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
/// <item><c>Describe</c> of a version-tolerant <c>[MemoryPackable]</c> type (<c>GenerateType.VersionTolerant</c> or
/// <c>CircularReference</c>) is its name, then <c>"version-tolerant{}"</c>: its wire format lets processes with added or
/// removed members read each other, so its members are no part of the schema;</item>
/// <item><c>Describe</c> of any other <c>[MemoryPackable]</c> type is its name, then <c>"{"</c>, its serialized members
/// (see <see cref="MemoryPackMembers"/>) in serialization order as <c>memberName ":" Describe(memberType)</c> joined by
/// <c>";"</c>, then <c>"}"</c>;</item>
/// <item><c>Describe</c> of an array is <c>Describe(element) "[" commas "]"</c>, of a constructed generic type its
/// name, then <c>"&lt;"</c>, <c>Describe</c> of each type argument joined by <c>","</c>, then <c>"&gt;"</c>; a type
/// nested in a constructed generic type is written after its container that way: <c>Envelope&lt;Int32&gt;.Kind</c>;</item>
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

    public static ulong Of(KnownTypes known, INamedTypeSymbol messageType) => Fnv1a64(CanonicalSchema(known, messageType));

    public static string CanonicalSchema(KnownTypes known, INamedTypeSymbol messageType)
    {
        var schema = new StringBuilder(SchemaPrefix);
        new Describer(known, schema).Describe(messageType);
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

    /// <summary>Writes the canonical schema of one message; remembers the <c>[MemoryPackable]</c> types it has described.</summary>
    private sealed class Describer
    {
        private readonly KnownTypes _known;
        private readonly StringBuilder _schema;
        private readonly HashSet<ITypeSymbol> _described = new(SymbolEqualityComparer.Default);

        public Describer(KnownTypes known, StringBuilder schema)
        {
            _known = known;
            _schema = schema;
        }

        public void Describe(ITypeSymbol type)
        {
            switch (type)
            {
                case IArrayTypeSymbol array:
                    Describe(array.ElementType);
                    _schema.Append('[').Append(',', array.Rank - 1).Append(']');
                    return;
                case INamedTypeSymbol named when _known.IsMemoryPackable(named) && _described.Add(named):
                    DescribeMemoryPackable(named);
                    return;
                case INamedTypeSymbol { IsGenericType: true } generic:
                    AppendGenericName(generic);
                    return;
                default:
                    _schema.Append(type.ToCanonicalName());
                    return;
            }
        }

        /// <summary>
        /// The name of a constructed type, or of a type nested in one, with <c>Describe</c> of every type argument:
        /// <c>global::Envelope&lt;global::System.Int32&gt;.Kind</c>.
        /// </summary>
        private void AppendGenericName(INamedTypeSymbol type)
        {
            if (type.ContainingType is { IsGenericType: true } container)
            {
                AppendGenericName(container);
                _schema.Append('.').Append(type.Name);
            }
            else
            {
                _schema.Append(type.OriginalDefinition.ToCanonicalName().Split('<')[0]);
            }

            if (type.TypeArguments.Length == 0)
            {
                return;
            }

            _schema.Append('<');
            for (var i = 0; i < type.TypeArguments.Length; i++)
            {
                _schema.Append(i == 0 ? string.Empty : ",");
                Describe(type.TypeArguments[i]);
            }

            _schema.Append('>');
        }

        private void DescribeMemoryPackable(INamedTypeSymbol type)
        {
            _schema.Append(type.ToCanonicalName());
            var unionCases = MemoryPackMembers.UnionCases(_known, type);
            if (unionCases.Length > 0)
            {
                _schema.Append("union{");
                for (var i = 0; i < unionCases.Length; i++)
                {
                    _schema.Append(i == 0 ? string.Empty : ";").Append(unionCases[i].Tag).Append('=');
                    Describe(unionCases[i].Case);
                }
            }
            else if (MemoryPackMembers.IsVersionTolerant(_known, type))
            {
                _schema.Append("version-tolerant{");
            }
            else
            {
                _schema.Append('{');
                var members = MemoryPackMembers.Of(_known, type);
                for (var i = 0; i < members.Length; i++)
                {
                    _schema.Append(i == 0 ? string.Empty : ";").Append(members[i].Name).Append(':');
                    Describe(MemoryPackMembers.TypeOf(members[i]));
                }
            }

            _schema.Append('}');
        }
    }
}
