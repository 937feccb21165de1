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
        public partial record Job(string Path, int Priority);
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
    public void EditToTheMessageModifiesTheSpec()
    {
        var reasons = ReasonsAfterEdit(Message, Message.Replace("int Priority)", "int Priority, string Owner)", StringComparison.Ordinal));

        Assert.All(reasons, reason => Assert.Equal(IncrementalStepRunReason.Modified, reason));
    }

    /// <summary>Runs the generator, replaces the source <paramref name="before"/> by <paramref name="after"/>, runs it again and returns how each tracked step's outputs were produced.</summary>
    private static IReadOnlyList<IncrementalStepRunReason> ReasonsAfterEdit(string before, string after)
    {
        var compilation = TestCompilation.Create(Message, Unrelated);
        var driver = TestCompilation.CreateDriver(trackSteps: true).RunGenerators(compilation);

        var editedTree = compilation.SyntaxTrees.Single(tree => tree.ToString() == before);
        var edited = compilation.ReplaceSyntaxTree(editedTree, CSharpSyntaxTree.ParseText(after, TestCompilation.ParseOptions, editedTree.FilePath));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        var reasons = new[] { TrackingNames.QueueSpecs, TrackingNames.ValidQueueSpecs }
            .SelectMany(step => result.TrackedSteps[step])
            .SelectMany(run => run.Outputs)
            .Select(output => output.Reason)
            .ToList();
        Assert.NotEmpty(reasons);
        return reasons;
    }
}
