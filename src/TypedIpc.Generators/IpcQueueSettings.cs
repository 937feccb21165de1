using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace TypedIpc.Generators;

/// <summary>What one <c>[IpcQueue]</c> attribute says, and where each of its arguments is written.</summary>
internal sealed class IpcQueueSettings
{
    private const string MaxSizeParameter = "maxsize";
    private const string NameProperty = "Name";
    private const string MaxMessageBytesProperty = "MaxMessageBytes";
    private const string JoinableProperty = "Joinable";

    private IpcQueueSettings(AttributeData attribute, INamedTypeSymbol messageType)
    {
        Attribute = attribute;
        MaxSize = attribute.ConstructorArguments.FirstOrDefault().Value is int maxSize ? maxSize : 0;
        Name = NamedArgument(NameProperty) as string ?? messageType.ToDottedFullName();
        MaxMessageBytes = NamedArgument(MaxMessageBytesProperty) is int maxMessageBytes ? maxMessageBytes : 0;
        Joinable = NamedArgument(JoinableProperty) is true;
    }

    public int MaxSize { get; }

    /// <summary>The default queue name: the attribute's <c>Name</c>, else the type's dotted full name.</summary>
    public string Name { get; }

    /// <summary>The per-message limit; 0 when unset.</summary>
    public int MaxMessageBytes { get; }

    /// <summary>Whether the queue is joinable (<c>Joinable = true</c>).</summary>
    public bool Joinable { get; }

    /// <summary>The <c>[IpcQueue]</c> attribute these settings come from: the type's first, when it has more than one.</summary>
    public AttributeData Attribute { get; }

    public static IpcQueueSettings? Of(KnownTypes known, INamedTypeSymbol messageType) =>
        KnownTypes.FindAttribute(messageType, known.IpcQueueAttribute) is { } attribute ? new IpcQueueSettings(attribute, messageType) : null;

    public Location? MaxSizeLocation(CancellationToken cancellationToken) => ArgumentLocation(MaxSizeParameter, positionalIndex: 0, cancellationToken);

    public Location? NameLocation(CancellationToken cancellationToken) => ArgumentLocation(NameProperty, positionalIndex: null, cancellationToken);

    public Location? MaxMessageBytesLocation(CancellationToken cancellationToken) => ArgumentLocation(MaxMessageBytesProperty, positionalIndex: null, cancellationToken);

    private object? NamedArgument(string name) =>
        Attribute.NamedArguments.FirstOrDefault(argument => argument.Key == name).Value.Value;

    private Location? ArgumentLocation(string name, int? positionalIndex, CancellationToken cancellationToken)
    {
        if (Attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is not AttributeSyntax syntax)
        {
            return null;
        }

        var arguments = syntax.ArgumentList?.Arguments ?? default;
        var argument = arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name || a.NameColon?.Name.Identifier.ValueText == name)
            ?? (positionalIndex is { } index && index < arguments.Count && arguments[index] is { NameEquals: null, NameColon: null } positional ? positional : null);
        return (argument ?? (SyntaxNode)syntax).GetLocation();
    }
}
