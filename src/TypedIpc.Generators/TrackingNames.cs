namespace TypedIpc.Generators;

/// <summary>Names of the generator's pipeline steps, which tests read to check that the generator caches.</summary>
internal static class TrackingNames
{
    /// <summary>The transform of each <c>[IpcQueue]</c> type into a <see cref="QueueSpec"/> (null for a type that breaks the usage rules).</summary>
    public const string QueueSpecs = nameof(QueueSpecs);

    /// <summary>The specs of the types that follow the usage rules.</summary>
    public const string ValidQueueSpecs = nameof(ValidQueueSpecs);

    /// <summary>Whether the compilation references TypedIpc.Nats, which adds <c>OpenAsync</c> over NATS to every queue class.</summary>
    public const string NatsReferenced = nameof(NatsReferenced);

    /// <summary>Each valid spec paired with <see cref="NatsReferenced"/>: what one generated file is made from.</summary>
    public const string QueueOutputs = nameof(QueueOutputs);
}
