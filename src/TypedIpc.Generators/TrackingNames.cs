namespace TypedIpc.Generators;

/// <summary>Names of the generator's pipeline steps, which tests read to check that the generator caches.</summary>
internal static class TrackingNames
{
    /// <summary>The transform of each <c>[IpcQueue]</c> type into a <see cref="QueueSpec"/> (null for a type that breaks the usage rules).</summary>
    public const string QueueSpecs = nameof(QueueSpecs);

    /// <summary>The specs of the types that follow the usage rules.</summary>
    public const string ValidQueueSpecs = nameof(ValidQueueSpecs);
}
