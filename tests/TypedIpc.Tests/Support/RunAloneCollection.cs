namespace TypedIpc.Tests.Support;

/// <summary>
/// Tests that measure the whole test process (its thread count, its threads by name) run alone: a test of another
/// class running beside them would add threads of its own.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunAloneCollection
{
    public const string Name = "process-wide measurements, run alone";
}
