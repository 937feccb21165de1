using System.Buffers;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MemoryPack;
using MemoryPack.Formatters;

namespace TypedIpc.Internal;

/// <summary>
/// How a queue's messages become bytes and back: MemoryPack's format, always. A message type whose whole serialized
/// graph needs no reference tracking is written and read through its own generated <see cref="IMemoryPackable{T}"/>
/// members, with writer and reader state kept per thread and queue instance: this skips the generic dispatch and the
/// per-call state setup of <see cref="MemoryPackSerializer"/>, which cost more than writing a small message itself.
/// Any other type goes through <see cref="MemoryPackSerializer"/>.
/// </summary>
internal abstract class MessageCodec<T>
{
    public static readonly MessageCodec<T> Instance = Create();

    /// <summary>
    /// The size of every record when records are the messages' raw bytes (an unmanaged type, <see cref="UnmanagedCodec{T}"/>),
    /// which the protocol then copies without a serializer; otherwise <see cref="int.MaxValue"/>. A JIT-time constant.
    /// </summary>
    public static int RawSize => RuntimeHelpers.IsReferenceOrContainsReferences<T>() ? int.MaxValue : Unsafe.SizeOf<T>();

    /// <summary>Serializes <paramref name="value"/> into <paramref name="destination"/>.</summary>
    public abstract void Write(RecordWriter destination, in T value);

    /// <summary>Deserializes one message from <paramref name="payload"/>.</summary>
    public abstract T Read(ReadOnlySpan<byte> payload, CodecState state);

    private static MessageCodec<T> Create()
    {
        if (RawSize != int.MaxValue)
        {
            return new UnmanagedCodec<T>();
        }

        if (HasGeneratedFormatter() && PackableGraph.NeedsNoReferenceTracking(typeof(T)))
        {
            var codec = typeof(PackableCodec<>).MakeGenericType(typeof(T));
            return (MessageCodec<T>)Activator.CreateInstance(codec)!;
        }

        return new SerializerCodec<T>();
    }

    /// <summary>Whether MemoryPack formats the type with its generated members: a formatter registered in their place is honored.</summary>
    private static bool HasGeneratedFormatter()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using MemoryPackWriterOptionalState state = MemoryPackWriterOptionalStatePool.Rent(null);
        var writer = new MemoryPackWriter<ArrayBufferWriter<byte>>(ref buffer, state);
        Type formatter = writer.GetFormatter<T>().GetType();
        return formatter.IsGenericType && formatter.GetGenericTypeDefinition() == typeof(MemoryPackableFormatter<>);
    }
}

/// <summary>
/// One thread's MemoryPack state for one queue instance. It is never reset, which is right only for types whose graph
/// tracks no references (see <see cref="PackableGraph"/>): nothing is ever added to it.
/// </summary>
internal sealed class CodecState
{
    private MemoryPackWriterOptionalState? _writer;
    private MemoryPackReaderOptionalState? _reader;

    public MemoryPackWriterOptionalState Writer => _writer ??= MemoryPackWriterOptionalStatePool.Rent(null);

    public MemoryPackReaderOptionalState Reader => _reader ??= MemoryPackReaderOptionalStatePool.Rent(null);
}

/// <summary>An unmanaged struct is its raw bytes, as MemoryPack writes it, without the calls through IBufferWriter.</summary>
internal sealed class UnmanagedCodec<T> : MessageCodec<T>
{
    public override void Write(RecordWriter destination, in T value) => destination.WriteRaw(in value);

    // Any other length goes to MemoryPack, to be refused with its own message.
    public override T Read(ReadOnlySpan<byte> payload, CodecState state) =>
        payload.Length == Unsafe.SizeOf<T>() ? Unsafe.ReadUnaligned<T>(ref MemoryMarshal.GetReference(payload)) : MemoryPackSerializer.Deserialize<T>(payload)!;
}

/// <summary>A type MemoryPack generated members for, called directly.</summary>
internal sealed unsafe class PackableCodec<T> : MessageCodec<T>
    where T : IMemoryPackable<T>
{
    // Code shared by reference types would look T's static members up in its generic dictionary at every message.
    private readonly delegate*<ref MemoryPackWriter<RecordBufferWriter>, ref T?, void> _serialize = &T.Serialize<RecordBufferWriter>;
    private readonly delegate*<ref MemoryPackReader, ref T?, void> _deserialize = &T.Deserialize;

    public override void Write(RecordWriter destination, in T value)
    {
        var buffer = new RecordBufferWriter(destination);
        var writer = new MemoryPackWriter<RecordBufferWriter>(ref buffer, destination.CodecState.Writer);
        _serialize(ref writer, ref Unsafe.AsRef(in value)!);
        writer.Flush();
    }

    public override T Read(ReadOnlySpan<byte> payload, CodecState state)
    {
        var reader = new MemoryPackReader(payload, state.Reader);
        try
        {
            T? value = default;
            _deserialize(ref reader, ref value);
            return value!;
        }
        finally
        {
            reader.Dispose();
        }
    }
}

/// <summary>
/// The record writer as a struct: MemoryPack's writer and the generated Serialize methods are generic over the buffer
/// writer, and over a struct the JIT compiles them for it alone (direct, inlinable calls) rather than as code shared by
/// every class, which looks each call up at run time.
/// </summary>
internal readonly struct RecordBufferWriter(RecordWriter record) : IBufferWriter<byte>
{
    public void Advance(int count) => record.Advance(count);

    public Span<byte> GetSpan(int sizeHint = 0) => record.GetSpan(sizeHint);

    public Memory<byte> GetMemory(int sizeHint = 0) => record.GetMemory(sizeHint);
}

/// <summary>Everything else: through MemoryPackSerializer, which sets up (and resets) its state per call.</summary>
internal sealed class SerializerCodec<T> : MessageCodec<T>
{
    public override void Write(RecordWriter destination, in T value) => MemoryPackSerializer.Serialize(new RecordBufferWriter(destination), value);

    public override T Read(ReadOnlySpan<byte> payload, CodecState state) => MemoryPackSerializer.Deserialize<T>(payload)!;
}

/// <summary>
/// Whether serializing a type can touch MemoryPack's reference tracking: only <see cref="GenerateType.CircularReference"/>
/// types do, and custom formatters might. Answers conservatively: any type it cannot see through (object, an interface
/// or abstract class without union cases, a member with a formatter attribute, a circular-reference type) makes the
/// answer no.
/// </summary>
internal static class PackableGraph
{
    private static readonly MethodInfo s_containsReferences =
        typeof(RuntimeHelpers).GetMethod(nameof(RuntimeHelpers.IsReferenceOrContainsReferences))!;

    public static bool NeedsNoReferenceTracking(Type root)
    {
        var seen = new HashSet<Type>();
        var pending = new Stack<Type>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            Type type = pending.Pop();
            if (seen.Add(type) && !IsLeaf(type) && !TryPushParts(type, pending))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsLeaf(Type type) =>
        type == typeof(string)
        || (type.IsValueType && type.GetCustomAttribute<MemoryPackableAttribute>() is null
            && !(bool)s_containsReferences.MakeGenericMethod(type).Invoke(null, null)!);

    /// <summary>Pushes the types <paramref name="type"/> is made of; false when it cannot be seen through.</summary>
    private static bool TryPushParts(Type type, Stack<Type> pending)
    {
        if (type.IsArray)
        {
            pending.Push(type.GetElementType()!);
            return true;
        }

        if (type.GetCustomAttribute<MemoryPackableAttribute>(inherit: false) is { } packable)
        {
            if (packable.GenerateType is GenerateType.CircularReference or GenerateType.NoGenerate)
            {
                return false;
            }

            if (type.IsInterface || type.IsAbstract)
            {
                var cases = type.GetCustomAttributes<MemoryPackUnionAttribute>(inherit: false).Select(union => union.Type).ToList();
                cases.ForEach(pending.Push);
                return cases.Count > 0;
            }

            const BindingFlags members = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
            var parts = type.GetFields(members).Where(field => IsSerialized(field, field.IsPublic)).Select(field => field.FieldType)
                .Concat(type.GetProperties(members)
                    .Where(property => property.GetIndexParameters().Length == 0 && IsSerialized(property, property.GetMethod?.IsPublic == true))
                    .Select(property => property.PropertyType))
                .ToList();
            parts.ForEach(pending.Push);
            return !type.GetFields(members).Concat<MemberInfo>(type.GetProperties(members))
                .Any(member => member.GetCustomAttributes().Any(IsFormatterAttribute));
        }

        if (type.IsGenericType && !type.IsInterface && !type.IsAbstract && type.Namespace?.StartsWith("System", StringComparison.Ordinal) == true)
        {
            // The BCL's collections, tuples, Nullable<T> and the like: MemoryPack's formatters for them track nothing themselves.
            Array.ForEach(type.GetGenericArguments(), pending.Push);
            return true;
        }

        return false;
    }

    /// <summary>MemoryPack's rule: public members unless ignored, and any member it is told to include.</summary>
    private static bool IsSerialized(MemberInfo member, bool isPublic) =>
        member.GetCustomAttribute<MemoryPackIncludeAttribute>() is not null
        || (isPublic && member.GetCustomAttribute<MemoryPackIgnoreAttribute>() is null);

    /// <summary>MemoryPack's member formatter attributes (Utf16StringFormatter, BrotliFormatter, ...) and any user-written one.</summary>
    private static bool IsFormatterAttribute(Attribute attribute)
    {
        for (Type? type = attribute.GetType(); type is not null; type = type.BaseType)
        {
            if (type.Name.StartsWith("MemoryPackCustomFormatterAttribute", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
