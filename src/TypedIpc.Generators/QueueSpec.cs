
namespace TypedIpc.Generators;

/// <summary>
/// Everything the emitter needs to write one queue class: plain strings and numbers only, compared by value, so the
/// generator's cache survives edits that do not change them.
/// </summary>
/// <param name="HintName">The generated file's name.</param>
/// <param name="Namespace">The message's namespace as source spells it (keywords escaped), empty for the global namespace.</param>
/// <param name="ContainingTypes">The message's containing types, outermost first.</param>
/// <param name="MessageIdentifier">The message type's simple name as source spells it: <c>Job</c>, <c>@class</c>.</param>
/// <param name="QueueName">The queue class's name: the message's name and <c>Queue</c>.</param>
/// <param name="MessageKeyword">How the message type is redeclared: <c>class</c>, <c>record</c>, <c>struct</c>, <c>record struct</c> or <c>interface</c>.</param>
/// <param name="MessageTypeName">The message type's fully qualified name with <c>global::</c>.</param>
/// <param name="Accessibility">The message type's accessibility keyword, which the queue class copies.</param>
/// <param name="CarriedAttributes">The message's <c>[Obsolete]</c> and <c>[Experimental]</c> attributes as source, which the queue class copies so that using the message inside it does not warn.</param>
/// <param name="DefaultName">The queue name <c>Open</c> and <c>Unlink</c> use when given none.</param>
/// <param name="MaxSize">The attribute's <c>maxsize</c>.</param>
/// <param name="MaxMessageBytes">The attribute's <c>MaxMessageBytes</c>; 0 when unset.</param>
/// <param name="Joinable">The attribute's <c>Joinable</c>.</param>
/// <param name="SchemaFingerprint">The message's schema fingerprint.</param>
internal sealed record QueueSpec(
    string HintName,
    string Namespace,
    EquatableArray<ContainingTypeSpec> ContainingTypes,
    string MessageIdentifier,
    string QueueName,
    string MessageKeyword,
    string MessageTypeName,
    string Accessibility,
    EquatableArray<string> CarriedAttributes,
    string DefaultName,
    int MaxSize,
    int MaxMessageBytes,
    bool Joinable,
    ulong SchemaFingerprint);

/// <summary>A type that contains the message type, redeclared as partial around the generated code.</summary>
/// <param name="Keyword">How the type is redeclared: <c>class</c>, <c>record</c>, <c>struct</c>, <c>record struct</c> or <c>interface</c>.</param>
/// <param name="Identifier">The type's simple name as source spells it.</param>
internal sealed record ContainingTypeSpec(string Keyword, string Identifier);
