using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace TypedIpc.Generators;

/// <summary>
/// The types the generator and the analyzers look for, resolved once per compilation and compared as symbols. A
/// compilation that does not reference TypedIpc has none: <see cref="Of"/> returns null and nothing else runs.
/// </summary>
internal sealed class KnownTypes
{
    private KnownTypes(Compilation compilation, INamedTypeSymbol ipcQueueAttribute)
    {
        IpcQueueAttribute = ipcQueueAttribute;
        SharedQueue = compilation.GetTypeByMetadataName(KnownNames.SharedQueue);
        QueueInterface = compilation.GetTypeByMetadataName(KnownNames.QueueInterface);
        QueueOptions = compilation.GetTypeByMetadataName(KnownNames.QueueOptions);
        GeneratedCodeAttribute = compilation.GetTypeByMetadataName(KnownNames.GeneratedCodeAttribute);
        MemoryPackableAttribute = compilation.GetTypeByMetadataName(KnownNames.MemoryPackableAttribute);
        MemoryPackUnionAttribute = compilation.GetTypeByMetadataName(KnownNames.MemoryPackUnionAttribute);
        MemoryPackIgnoreAttribute = compilation.GetTypeByMetadataName(KnownNames.MemoryPackIgnoreAttribute);
        MemoryPackIncludeAttribute = compilation.GetTypeByMetadataName(KnownNames.MemoryPackIncludeAttribute);
        MemoryPackOrderAttribute = compilation.GetTypeByMetadataName(KnownNames.MemoryPackOrderAttribute);
        MemoryPackGenerateType = compilation.GetTypeByMetadataName(KnownNames.MemoryPackGenerateType);
        ObsoleteAttribute = compilation.GetTypeByMetadataName("System.ObsoleteAttribute");
        ExperimentalAttribute = compilation.GetTypeByMetadataName("System.Diagnostics.CodeAnalysis.ExperimentalAttribute");
        StructLayoutAttribute = compilation.GetTypeByMetadataName("System.Runtime.InteropServices.StructLayoutAttribute");
        FieldOffsetAttribute = compilation.GetTypeByMetadataName("System.Runtime.InteropServices.FieldOffsetAttribute");
        Stream = compilation.GetTypeByMetadataName("System.IO.Stream");
        File = compilation.GetTypeByMetadataName("System.IO.File");
        TextReader = compilation.GetTypeByMetadataName("System.IO.TextReader");
        BinaryReader = compilation.GetTypeByMetadataName("System.IO.BinaryReader");
        MemoryStream = compilation.GetTypeByMetadataName("System.IO.MemoryStream");
        Encoding = compilation.GetTypeByMetadataName("System.Text.Encoding");
        Convert = compilation.GetTypeByMetadataName("System.Convert");
        Enumerable = compilation.GetTypeByMetadataName("System.Linq.Enumerable");
        TimeSpan = compilation.GetTypeByMetadataName("System.TimeSpan");
        Guid = compilation.GetTypeByMetadataName("System.Guid");
        DateTimeOffset = compilation.GetTypeByMetadataName("System.DateTimeOffset");
        Memory = compilation.GetTypeByMetadataName("System.Memory`1");
        ReadOnlyMemory = compilation.GetTypeByMetadataName("System.ReadOnlyMemory`1");
        ByteBuffers = new[] { Memory, ReadOnlyMemory, compilation.GetTypeByMetadataName("System.ArraySegment`1"), compilation.GetTypeByMetadataName("System.Buffers.ReadOnlySequence`1") }
            .Where(type => type is not null)
            .Select(type => type!)
            .ToImmutableArray();
    }

    public INamedTypeSymbol IpcQueueAttribute { get; }

    public INamedTypeSymbol? SharedQueue { get; }

    /// <summary><c>IIpcQueue&lt;T&gt;</c>, the contract of every queue.</summary>
    public INamedTypeSymbol? QueueInterface { get; }

    public INamedTypeSymbol? QueueOptions { get; }

    public INamedTypeSymbol? GeneratedCodeAttribute { get; }

    public INamedTypeSymbol? MemoryPackableAttribute { get; }

    public INamedTypeSymbol? MemoryPackUnionAttribute { get; }

    public INamedTypeSymbol? MemoryPackIgnoreAttribute { get; }

    public INamedTypeSymbol? MemoryPackIncludeAttribute { get; }

    public INamedTypeSymbol? MemoryPackOrderAttribute { get; }

    /// <summary>The enum of <c>[MemoryPackable(GenerateType)]</c>.</summary>
    public INamedTypeSymbol? MemoryPackGenerateType { get; }

    public INamedTypeSymbol? ObsoleteAttribute { get; }

    public INamedTypeSymbol? ExperimentalAttribute { get; }

    public INamedTypeSymbol? StructLayoutAttribute { get; }

    public INamedTypeSymbol? FieldOffsetAttribute { get; }

    public INamedTypeSymbol? Stream { get; }

    public INamedTypeSymbol? File { get; }

    public INamedTypeSymbol? TextReader { get; }

    public INamedTypeSymbol? BinaryReader { get; }

    public INamedTypeSymbol? MemoryStream { get; }

    public INamedTypeSymbol? Encoding { get; }

    public INamedTypeSymbol? Convert { get; }

    public INamedTypeSymbol? Enumerable { get; }

    public INamedTypeSymbol? TimeSpan { get; }

    public INamedTypeSymbol? Guid { get; }

    public INamedTypeSymbol? DateTimeOffset { get; }

    public INamedTypeSymbol? Memory { get; }

    public INamedTypeSymbol? ReadOnlyMemory { get; }

    /// <summary><c>Memory&lt;T&gt;</c>, <c>ReadOnlyMemory&lt;T&gt;</c>, <c>ArraySegment&lt;T&gt;</c>, <c>ReadOnlySequence&lt;T&gt;</c>: bulk data when T is byte.</summary>
    public ImmutableArray<INamedTypeSymbol> ByteBuffers { get; }

    /// <summary>The known types of <paramref name="compilation"/>, or null when it does not reference TypedIpc.</summary>
    public static KnownTypes? Of(Compilation compilation) =>
        compilation.GetTypeByMetadataName(KnownNames.IpcQueueAttribute) is { } ipcQueueAttribute ? new KnownTypes(compilation, ipcQueueAttribute) : null;

    /// <summary>True when <paramref name="type"/>, or the generic type it constructs, is <paramref name="known"/>.</summary>
    public static bool Is(ITypeSymbol? type, INamedTypeSymbol? known) =>
        type is not null && known is not null && SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, known);

    /// <summary>True when <paramref name="type"/> is <paramref name="known"/> or derives from it.</summary>
    public static bool DerivesFrom(ITypeSymbol? type, INamedTypeSymbol? known)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (Is(current, known))
            {
                return true;
            }
        }

        return false;
    }

    public static AttributeData? FindAttribute(ISymbol symbol, INamedTypeSymbol? attribute) =>
        symbol.GetAttributes().FirstOrDefault(candidate => Is(candidate.AttributeClass, attribute));

    public static bool HasAttribute(ISymbol symbol, INamedTypeSymbol? attribute) => FindAttribute(symbol, attribute) is not null;

    public bool IsMemoryPackable(ITypeSymbol type) => HasAttribute(type, MemoryPackableAttribute);

    /// <summary>True for the <c>XQueue</c> classes the TypedIpc generator emits.</summary>
    public bool IsGeneratedQueue(ITypeSymbol type) =>
        type.GetAttributes().Any(attribute => Is(attribute.AttributeClass, GeneratedCodeAttribute)
            && attribute.ConstructorArguments.Length > 0
            && attribute.ConstructorArguments[0].Value as string == KnownNames.GeneratorToolName);
}
