namespace TypedIpc.Generators;

/// <summary>Metadata names of the types the generator and the analyzers look for.</summary>
internal static class KnownNames
{
    public const string IpcQueueAttribute = "TypedIpc.IpcQueueAttribute";
    public const string SharedQueue = "TypedIpc.SharedQueue`1";
    public const string QueueInterface = "TypedIpc.IIpcQueue`1";
    public const string QueueOptions = "TypedIpc.QueueOptions";
    public const string NatsQueue = "TypedIpc.Nats.NatsQueue`1";
    public const string MemoryPackableAttribute = "MemoryPack.MemoryPackableAttribute";
    public const string MemoryPackUnionAttribute = "MemoryPack.MemoryPackUnionAttribute";
    public const string MemoryPackIgnoreAttribute = "MemoryPack.MemoryPackIgnoreAttribute";
    public const string MemoryPackIncludeAttribute = "MemoryPack.MemoryPackIncludeAttribute";
    public const string MemoryPackOrderAttribute = "MemoryPack.MemoryPackOrderAttribute";
    public const string MemoryPackGenerateType = "MemoryPack.GenerateType";
    public const string GeneratedCodeAttribute = "System.CodeDom.Compiler.GeneratedCodeAttribute";

    /// <summary>The tool name in the <c>[GeneratedCode]</c> attribute of every generated queue class.</summary>
    public const string GeneratorToolName = "TypedIpc.Generators";

    /// <summary>The generated queue class of a message type <c>X</c> is <c>XQueue</c>.</summary>
    public const string QueueSuffix = "Queue";

    /// <summary>Mirrors <c>SharedQueue&lt;T&gt;.MaxMaxSize</c>.</summary>
    public const int MaxMaxSize = 1 << 24;

    /// <summary>Mirrors <c>QueueOptions.DefaultMaxMessageBytes</c>.</summary>
    public const int DefaultMaxMessageBytes = 4096;

    /// <summary>Mirrors <c>QueueOptions.MaxMaxMessageBytes</c>.</summary>
    public const int MaxMaxMessageBytes = 16 * 1024 * 1024;
}
