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
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor LargePut = Create(
        "TIPC002",
        "A large payload is put on a queue",
        "The item put on the queue is large: {0}; write the data to a file or a store and put its path or reference instead",
        PayloadCategory,
        DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor NotPartial = Create(
        "TIPC101",
        "An [IpcQueue] type must be partial",
        "'{0}' must be declared partial (and so must its containing types) so that the generator can add its schema fingerprint",
        UsageCategory,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor NotMemoryPackable = Create(
        "TIPC102",
        "An [IpcQueue] type must be [MemoryPackable]",
        "'{0}' must be marked [MemoryPackable]: queue messages are serialized with MemoryPack",
        UsageCategory,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor Generic = Create(
        "TIPC103",
        "An [IpcQueue] type cannot be generic",
        "'{0}' is generic or nested in a generic type; declare a non-generic message type for the queue",
        UsageCategory,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor MaxSizeOutOfRange = Create(
        "TIPC104",
        "maxsize is out of range",
        "maxsize {0} is out of range: use 0 (bounded only by the queue's byte capacity) up to 16777216 items",
        UsageCategory,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor MaxMessageBytesOutOfRange = Create(
        "TIPC105",
        "MaxMessageBytes is out of range",
        "MaxMessageBytes {0} is out of range: use 1 up to 16777216 bytes, or leave it unset for the default of 4096",
        UsageCategory,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor QueueNameTaken = Create(
        "TIPC106",
        "The generated queue type's name is already taken",
        "'{0}' already declares a member named '{1}', the queue type the generator would emit for '{2}'; rename one of them",
        UsageCategory,
        DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor InvalidQueueName = Create(
        "TIPC107",
        "The default queue name is invalid",
        "Queue name \"{0}\" is invalid: use 1 to 200 characters of A-Z, a-z, 0-9, '.', '_', '-', not starting with '.' or '-', without \"..\"",
        UsageCategory,
        DiagnosticSeverity.Error);

    private static DiagnosticDescriptor Create(string id, string title, string message, string category, DiagnosticSeverity severity) =>
        new(
            id,
            title,
            message,
            category,
            severity,
            isEnabledByDefault: true,
            helpLinkUri: $"https://github.com/typedipc/typedipc/blob/main/docs/diagnostics/{id}.md");
}
