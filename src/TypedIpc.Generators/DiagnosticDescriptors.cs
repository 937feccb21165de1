using Microsoft.CodeAnalysis;

namespace TypedIpc.Generators;

/// <summary>Every diagnostic TypedIpc reports; each help link leads to the rule's page under docs/diagnostics.</summary>
internal static class DiagnosticDescriptors
{
    public const string PayloadCategory = "TypedIpc.Payload";
    public const string UsageCategory = "TypedIpc.Usage";

    public static readonly DiagnosticDescriptor BulkDataMember = Create(
        "TIPC001",
        "A queue message carries bulk data",
        "'{0}' is {1}, bulk data that every process copies through the queue; send a path or a reference to where the data lives instead",
        PayloadCategory,
        DiagnosticSeverity.Warning,
        "A serialized member of an [IpcQueue] message, or of a [MemoryPackable] type or union case it contains, is a byte buffer, a stream or a collection of them. "
        + "Every put copies it through shared memory and every get copies it out again; send a path, a BlobRef or another reference to where the data lives.");

    public static readonly DiagnosticDescriptor LargePut = Create(
        "TIPC002",
        "A large payload is put on a queue",
        "The item put on the queue is large: {0}; write the data to a file or a store and put its path or reference instead",
        PayloadCategory,
        DiagnosticSeverity.Warning,
        "The item of a Put, PutNowait, TryPut or PutAsync is visibly large: a whole file or stream read into it, a constant string, array or collection over the "
        + "typedipc.large_payload_bytes threshold, or a fixed-size struct bigger than the queue's MaxMessageBytes. Sizes unknown at compile time never warn.");

    public static readonly DiagnosticDescriptor NotPartial = Create(
        "TIPC101",
        "An [IpcQueue] type must be partial",
        "'{0}' must be declared partial (and so must its containing types) so that the generator can add its schema fingerprint",
        UsageCategory,
        DiagnosticSeverity.Error,
        "The generator adds a partial declaration of the message type carrying its schema fingerprint and places the queue class next to it, so the type and "
        + "every type it is nested in must be partial. The code fix adds the modifier.");

    public static readonly DiagnosticDescriptor NotMemoryPackable = Create(
        "TIPC102",
        "An [IpcQueue] type must be [MemoryPackable]",
        "'{0}' must be marked [MemoryPackable]: queue messages are serialized with MemoryPack",
        UsageCategory,
        DiagnosticSeverity.Error,
        "Queues serialize their messages with MemoryPack, whose generator needs [MemoryPackable] on the message type. The code fix adds the attribute.");

    public static readonly DiagnosticDescriptor Generic = Create(
        "TIPC103",
        "An [IpcQueue] type cannot be generic",
        "'{0}' is generic or nested in a generic type; declare a non-generic message type for the queue",
        UsageCategory,
        DiagnosticSeverity.Error,
        "A queue class is emitted per message type and named after it; an open generic type has no single schema or queue name.");

    public static readonly DiagnosticDescriptor MaxSizeOutOfRange = Create(
        "TIPC104",
        "maxsize is out of range",
        "maxsize {0} is out of range: use 0 (bounded only by the queue's byte capacity) up to 16777216 items",
        UsageCategory,
        DiagnosticSeverity.Error,
        "The attribute's maxsize must be what SharedQueue<T>.Open accepts: 0 (bounded only by the byte capacity) up to 16777216 items.");

    public static readonly DiagnosticDescriptor MaxMessageBytesOutOfRange = Create(
        "TIPC105",
        "MaxMessageBytes is out of range",
        "MaxMessageBytes {0} is out of range: use 1 up to 16777216 bytes, or leave it unset for the default of 4096",
        UsageCategory,
        DiagnosticSeverity.Error,
        "The attribute's MaxMessageBytes must be what QueueOptions accepts: 1 up to 16777216 bytes, or unset for the default of 4096.");

    public static readonly DiagnosticDescriptor QueueNameTaken = Create(
        "TIPC106",
        "The generated queue type's name is already taken",
        "The queue type '{1}' the generator would emit for '{2}' clashes with {0}; rename one of them",
        UsageCategory,
        DiagnosticSeverity.Error,
        "The queue class of a message X is XQueue, declared next to X. Another member of that name, or a containing type of that name, would not compile. "
        + "A partial class of that name that the user declares to add members to the queue is not a clash.");

    public static readonly DiagnosticDescriptor InvalidQueueName = Create(
        "TIPC107",
        "The default queue name is invalid",
        "Queue name \"{0}\" is invalid: use 1 to 200 characters of A-Z, a-z, 0-9, '.', '_', '-', not starting with '.' or '-', without \"..\"",
        UsageCategory,
        DiagnosticSeverity.Error,
        "The default queue name, the attribute's Name or else the type's full name, must follow the runtime's queue-name rule; Open would throw otherwise.");

    public static readonly DiagnosticDescriptor FileLocal = Create(
        "TIPC108",
        "An [IpcQueue] type cannot be file-local",
        "'{0}' is file-local or nested in a file-local type; the generated queue lives in another file and cannot see it",
        UsageCategory,
        DiagnosticSeverity.Error,
        "A file-local type is visible only in its own file, and all of its partial declarations must be in that file; the generator's output is another file. "
        + "Declare the message type internal instead.");

    private static DiagnosticDescriptor Create(string id, string title, string message, string category, DiagnosticSeverity severity, string description) =>
        new(
            id,
            title,
            message,
            category,
            severity,
            isEnabledByDefault: true,
            description: description,
            helpLinkUri: $"https://github.com/typedipc/typedipc/blob/main/docs/diagnostics/{id}.md");
}
