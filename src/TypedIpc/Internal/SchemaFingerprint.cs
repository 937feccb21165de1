using System.Reflection;
using System.Text;

namespace TypedIpc.Internal;

/// <summary>The fingerprint stored in a queue to tell message types (and versions of one type) apart.</summary>
internal static class SchemaFingerprint
{
    /// <summary>The generator's fingerprint when the type carries one, else a hash of the type's full name.</summary>
    public static ulong Of(Type messageType) =>
        messageType.GetCustomAttribute<IpcSchemaFingerprintAttribute>(inherit: false)?.Value
        ?? Fnv1a64(Encoding.UTF8.GetBytes(NameOf(messageType)));

    public static string NameOf(Type messageType) => messageType.FullName ?? messageType.Name;

    /// <summary>64-bit FNV-1a: tiny, stable across runtimes and processes, and the generator computes the same.</summary>
    public static ulong Fnv1a64(ReadOnlySpan<byte> data)
    {
        ulong hash = 0xcbf29ce484222325;
        foreach (byte b in data)
        {
            hash = (hash ^ b) * 0x100000001b3;
        }

        return hash;
    }
}
