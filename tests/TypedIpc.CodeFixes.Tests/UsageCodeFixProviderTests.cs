using Microsoft.CodeAnalysis.Testing;
using TypedIpc.CodeFixes.Tests.Support;
using PartialVerifier = TypedIpc.CodeFixes.Tests.Support.CodeFixVerifier<TypedIpc.Generators.IpcQueueUsageAnalyzer, TypedIpc.CodeFixes.MakePartialCodeFixProvider>;
using MemoryPackableVerifier = TypedIpc.CodeFixes.Tests.Support.CodeFixVerifier<TypedIpc.Generators.IpcQueueUsageAnalyzer, TypedIpc.CodeFixes.AddMemoryPackableCodeFixProvider>;

namespace TypedIpc.CodeFixes.Tests;

public sealed class UsageCodeFixProviderTests
{
    [Fact]
    public Task TIPC101_makes_the_type_partial() => PartialVerifier.VerifyAsync("""
        [IpcQueue, MemoryPackable]
        public record {|TIPC101:Job|}(string Path);
        """, """
        [IpcQueue, MemoryPackable]
        public partial record Job(string Path);
        """);

    [Fact]
    public Task TIPC101_makes_the_type_and_every_container_partial() => PartialVerifier.VerifyAsync("""
        public static class Pipeline
        {
            public partial struct Stage
            {
                [IpcQueue, MemoryPackable]
                internal sealed record {|TIPC101:Job|}(string Path);
            }
        }
        """, """
        public static partial class Pipeline
        {
            public partial struct Stage
            {
                [IpcQueue, MemoryPackable]
                internal sealed partial record Job(string Path);
            }
        }
        """);

    [Fact]
    public Task TIPC101_without_modifiers_keeps_the_attributes_and_comments_in_place() => PartialVerifier.VerifyAsync("""
        // Work for the pool.
        [IpcQueue, MemoryPackable]
        record struct {|TIPC101:Job|}(string Path);
        """, """
        // Work for the pool.
        [IpcQueue, MemoryPackable]
        partial record struct Job(string Path);
        """);

    [Fact]
    public Task TIPC101_fix_all_makes_a_shared_container_partial_once()
    {
        var test = PartialVerifier.Create();
        test.TestCode = CodeFixVerifier.Usings + """
            public static class Messages
            {
                [IpcQueue, MemoryPackable]
                public partial record {|TIPC101:Job|}(string Path);

                [IpcQueue, MemoryPackable]
                public record {|TIPC101:Report|}(string Path);
            }
            """;
        test.FixedCode = CodeFixVerifier.Usings + """
            public static partial class Messages
            {
                [IpcQueue, MemoryPackable]
                public partial record Job(string Path);

                [IpcQueue, MemoryPackable]
                public partial record Report(string Path);
            }
            """;
        return test.RunAsync();
    }

    [Fact]
    public Task TIPC102_adds_MemoryPackable() => MemoryPackableVerifier.VerifyAsync("""
        [IpcQueue(maxsize: 3)]
        public partial record {|TIPC102:Job|}(string Path);
        """, """
        [IpcQueue(maxsize: 3)]
        [MemoryPackable]
        public partial record Job(string Path);
        """);

    [Fact]
    public Task TIPC102_without_using_MemoryPack_qualifies_the_attribute()
    {
        var test = MemoryPackableVerifier.Create();
        test.TestCode = """
            [TypedIpc.IpcQueue]
            public partial class {|TIPC102:Job|}
            {
                public string Path { get; set; } = "";
            }
            """;
        test.FixedCode = """
            [TypedIpc.IpcQueue]
            [MemoryPack.MemoryPackable]
            public partial class Job
            {
                public string Path { get; set; } = "";
            }
            """;
        return test.RunAsync();
    }

    [Fact]
    public Task TIPC102_fix_all_in_project_marks_every_message()
    {
        var test = MemoryPackableVerifier.Create();
        test.CodeFixTestBehaviors = CodeFixTestBehaviors.SkipFixAllInDocumentCheck | CodeFixTestBehaviors.SkipFixAllInSolutionCheck;
        test.NumberOfFixAllInProjectIterations = 1;
        test.TestState.Sources.Add(("Job.cs", CodeFixVerifier.Usings + """
            [IpcQueue]
            public partial record {|TIPC102:Job|}(string Path);

            [IpcQueue]
            public partial record struct {|TIPC102:Tick|}(long At);
            """));
        test.TestState.Sources.Add(("Report.cs", CodeFixVerifier.Usings + """
            [IpcQueue]
            public partial record {|TIPC102:Report|}(string Path);
            """));
        test.FixedState.Sources.Add(("Job.cs", CodeFixVerifier.Usings + """
            [IpcQueue]
            [MemoryPackable]
            public partial record Job(string Path);

            [IpcQueue]
            [MemoryPackable]
            public partial record struct Tick(long At);
            """));
        test.FixedState.Sources.Add(("Report.cs", CodeFixVerifier.Usings + """
            [IpcQueue]
            [MemoryPackable]
            public partial record Report(string Path);
            """));
        return test.RunAsync();
    }
}
