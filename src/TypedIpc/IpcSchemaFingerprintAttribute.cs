using System.ComponentModel;

namespace TypedIpc;

/// <summary>
/// The schema fingerprint of a message type: a stable hash of its full name and serialized members, in order,
/// with their types. Emitted by the TypedIpc generator; <see cref="SharedQueue{T}"/> stores it in the queue so
/// that processes built from different versions of the message refuse to share a queue.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Interface, AllowMultiple = false, Inherited = false)]
public sealed class IpcSchemaFingerprintAttribute : Attribute
{
    /// <summary>Records the fingerprint.</summary>
    public IpcSchemaFingerprintAttribute(ulong value)
    {
        Value = value;
    }

    /// <summary>The fingerprint.</summary>
    public ulong Value { get; }
}
