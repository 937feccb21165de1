using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using TypedIpc.Generators.Tests.Support;

namespace TypedIpc.Generators.Tests;

/// <summary>The generator re-emits only when a message changes: its pipeline models compare by value.</summary>
public sealed class IpcQueueGeneratorIncrementalityTests
{
    private const string Message = """
        using MemoryPack;
        using TypedIpc;

        namespace MyApp.Messages;

        [IpcQueue(maxsize: 3), MemoryPackable]
        public partial record Job(string Path, int Priority, Meta Meta);
        """;

    /// <summary>A type a member of the message uses, declared in another file.</summary>
    private const string MessagePart = """
        using MemoryPack;

        namespace MyApp.Messages;

        [MemoryPackable]
        public partial record Meta(long Size);
        """;

    private const string Unrelated = """
        namespace MyApp.Services;

        public static class Clock
        {
            public static int Ticks() => 1;
        }
        """;

    [Fact]
    public void UnrelatedEditLeavesTheSpecCached()
    {
        var reasons = ReasonsAfterEdit(Unrelated, Unrelated.Replace("=> 1;", "=> 2;", StringComparison.Ordinal));

        Assert.All(reasons, reason => Assert.Contains(reason, new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged }));
    }

    [Fact]
    public void UnrelatedEditLeavesTheOutputCached()
    {
        var (_, result) = RunAfterEdit(Unrelated, Unrelated.Replace("=> 1;", "=> 2;", StringComparison.Ordinal));

        var outputs = result.TrackedOutputSteps[WellKnownGeneratorOutputs.SourceOutput].SelectMany(run => run.Outputs).ToList();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, output => Assert.Equal(IncrementalStepRunReason.Cached, output.Reason));
    }

    [Fact]
    public void WithTypedIpcNatsReferencedAnUnrelatedEditLeavesTheOutputCached()
    {
        var (before, result) = RunAfterEdit(Unrelated, Unrelated.Replace("=> 1;", "=> 2;", StringComparison.Ordinal), NatsReferences.All);

        Assert.Contains("OpenAsync", Assert.Single(before.GeneratedSources).SourceText.ToString(), StringComparison.Ordinal);
        var natsReferenced = result.TrackedSteps[TrackingNames.NatsReferenced].SelectMany(run => run.Outputs).ToList();
        Assert.NotEmpty(natsReferenced);
        Assert.All(natsReferenced, output => Assert.Equal(IncrementalStepRunReason.Unchanged, output.Reason));
        var outputs = result.TrackedOutputSteps[WellKnownGeneratorOutputs.SourceOutput].SelectMany(run => run.Outputs).ToList();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, output => Assert.Equal(IncrementalStepRunReason.Cached, output.Reason));
    }

    [Fact]
    public void EditToATypeInAnotherFileThatTheMessageUsesUpdatesTheFingerprint()
    {
        var edited = MessagePart.Replace("long Size", "int Size", StringComparison.Ordinal);
        var (before, result) = RunAfterEdit(MessagePart, edited);

        Assert.All(Reasons(result), reason => Assert.Equal(IncrementalStepRunReason.Modified, reason));
        var fingerprintBefore = Assert.Single(before.GeneratedSources).SourceText.ToString();
        var fingerprintAfter = Assert.Single(result.GeneratedSources).SourceText.ToString();
        Assert.NotEqual(FingerprintLine(fingerprintBefore), FingerprintLine(fingerprintAfter));
    }

    [Fact]
    public void EditToTheMessageModifiesTheSpec()
    {
        var reasons = ReasonsAfterEdit(Message, Message.Replace("Meta Meta)", "Meta Meta, string Owner)", StringComparison.Ordinal));

        Assert.All(reasons, reason => Assert.Equal(IncrementalStepRunReason.Modified, reason));
    }

    /// <summary>How each tracked step's outputs were produced after replacing the source <paramref name="before"/> by <paramref name="after"/>.</summary>
    private static IReadOnlyList<IncrementalStepRunReason> ReasonsAfterEdit(string before, string after) => Reasons(RunAfterEdit(before, after).After);

    /// <summary>Runs the generator, replaces the source <paramref name="before"/> by <paramref name="after"/> and runs it again.</summary>
    private static (GeneratorRunResult Before, GeneratorRunResult After) RunAfterEdit(string before, string after) =>
        RunAfterEdit(before, after, TestCompilation.References);

    /// <summary>As <see cref="RunAfterEdit(string, string)"/>, compiling against <paramref name="references"/>.</summary>
    private static (GeneratorRunResult Before, GeneratorRunResult After) RunAfterEdit(string before, string after, System.Collections.Immutable.ImmutableArray<MetadataReference> references)
    {
        var compilation = TestCompilation.Create(TestCompilation.ParseOptions, references, Message, MessagePart, Unrelated);
        var driver = TestCompilation.CreateDriver(trackSteps: true).RunGenerators(compilation);
        var first = driver.GetRunResult().Results.Single();

        var editedTree = compilation.SyntaxTrees.Single(tree => tree.ToString() == before);
        var edited = compilation.ReplaceSyntaxTree(editedTree, CSharpSyntaxTree.ParseText(after, TestCompilation.ParseOptions, editedTree.FilePath));
        return (first, driver.RunGenerators(edited).GetRunResult().Results.Single());
    }

    private static IReadOnlyList<IncrementalStepRunReason> Reasons(GeneratorRunResult result)
    {
        var reasons = new[] { TrackingNames.QueueSpecs, TrackingNames.ValidQueueSpecs, TrackingNames.QueueOutputs }
            .SelectMany(step => result.TrackedSteps[step])
            .SelectMany(run => run.Outputs)
            .Select(output => output.Reason)
            .ToList();
        Assert.NotEmpty(reasons);
        return reasons;
    }

    private static string FingerprintLine(string generated) =>
        generated.Split('\n').Single(line => line.Contains("IpcSchemaFingerprint", StringComparison.Ordinal));
}
