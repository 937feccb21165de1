using Verifier = TypedIpc.Generators.Tests.Support.AnalyzerVerifier<TypedIpc.Generators.IpcQueueUsageAnalyzer>;

namespace TypedIpc.Generators.Tests;

public sealed class IpcQueueUsageAnalyzerTests
{
    private const string Usings = """
        using MemoryPack;
        using TypedIpc;

        """;

    [Fact]
    public Task ValidMessageTypeHasNoDiagnostic() => Verifier.VerifyAsync(Usings + """
        namespace MyApp;

        [IpcQueue(maxsize: 3), MemoryPackable]
        public partial record Job(string Path, int Priority);

        public static class Producer
        {
            public static void Run()
            {
                using var queue = JobQueue.Open();
                queue.Put(new Job("/data/a.bin", 1));
            }
        }
        """);

    [Fact]
    public Task TypeNotPartial() => Verifier.VerifyAsync(Usings + """
        [IpcQueue, MemoryPackable]
        public record {|TIPC101:Job|}(string Path);
        """);

    [Fact]
    public Task ContainingTypeNotPartial() => Verifier.VerifyAsync(Usings + """
        public static class Outer
        {
            [IpcQueue, MemoryPackable]
            public partial record {|TIPC101:Job|}(string Path);
        }
        """);

    [Fact]
    public Task PartialTypeInPartialContainersHasNoDiagnostic() => Verifier.VerifyAsync(Usings + """
        public static partial class Outer
        {
            public partial class Inner
            {
                [IpcQueue, MemoryPackable]
                public partial record struct Job(string Path);
            }
        }
        """);

    [Fact]
    public Task NotMemoryPackable() => Verifier.VerifyAsync(Usings + """
        [IpcQueue]
        public partial record {|TIPC102:Job|}(string Path);
        """);

    [Fact]
    public Task MemoryPackableWithArgumentsHasNoDiagnostic() => Verifier.VerifyAsync(Usings + """
        [IpcQueue, MemoryPackable(GenerateType.VersionTolerant)]
        public partial class Job
        {
            [MemoryPackOrder(0)]
            public string Path { get; set; } = "";
        }
        """);

    [Fact]
    public Task GenericType() => Verifier.VerifyAsync(Usings + """
        [IpcQueue, MemoryPackable]
        public partial record {|TIPC103:Envelope|}<T>(T Body);
        """);

    [Fact]
    public Task NestedInGenericType() => Verifier.VerifyAsync(Usings + """
        public partial class Outer<T>
        {
            [IpcQueue, MemoryPackable]
            public partial record {|TIPC103:Job|}(string Path);
        }
        """);

    [Fact]
    public Task NonGenericTypeWithGenericMembersHasNoDiagnostic() => Verifier.VerifyAsync(Usings + """
        using System.Collections.Generic;

        [IpcQueue, MemoryPackable]
        public partial record Batch(List<string> Paths, Dictionary<string, int> Priorities);
        """);

    [Theory]
    [InlineData("-1")]
    [InlineData("16777217")]
    public Task MaxSizeOutOfRange(string maxsize) => Verifier.VerifyAsync(Usings + $$"""
        [IpcQueue({|TIPC104:{{maxsize}}|}), MemoryPackable]
        public partial record Job(string Path);
        """);

    [Theory]
    [InlineData("0")]
    [InlineData("16777216")]
    public Task MaxSizeInRange(string maxsize) => Verifier.VerifyAsync(Usings + $$"""
        [IpcQueue(maxsize: {{maxsize}}), MemoryPackable]
        public partial record Job(string Path);
        """);

    [Theory]
    [InlineData("-1")]
    [InlineData("16777217")]
    public Task MaxMessageBytesOutOfRange(string bytes) => Verifier.VerifyAsync(Usings + $$"""
        [IpcQueue(3, {|TIPC105:MaxMessageBytes = {{bytes}}|}), MemoryPackable]
        public partial record Job(string Path);
        """);

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("16777216")]
    public Task MaxMessageBytesInRange(string bytes) => Verifier.VerifyAsync(Usings + $$"""
        [IpcQueue(3, MaxMessageBytes = {{bytes}}), MemoryPackable]
        public partial record Job(string Path);
        """);

    [Fact]
    public Task QueueTypeNameTakenInNamespace() => Verifier.VerifyAsync(Usings + """
        namespace MyApp
        {
            [IpcQueue, MemoryPackable]
            public partial record {|TIPC106:Job|}(string Path);

            public class JobQueue
            {
            }
        }
        """);

    [Fact]
    public Task QueueTypeNameTakenByMemberOfContainingType() => Verifier.VerifyAsync(Usings + """
        public partial class Outer
        {
            [IpcQueue, MemoryPackable]
            public partial record {|TIPC106:Job|}(string Path);

            public int JobQueue => 0;
        }
        """);

    [Fact]
    public Task QueueTypeNameTakenByTheContainingType() => Verifier.VerifyAsync(Usings + """
        public partial class JobQueue
        {
            [IpcQueue, MemoryPackable]
            public partial record {|TIPC106:Job|}(string Path);
        }
        """);

    [Fact]
    public Task UsersPartialQueueClassIsAnExtensionNotAClash() => Verifier.VerifyAsync(Usings + """
        namespace MyApp
        {
            [IpcQueue, MemoryPackable]
            public partial record Job(string Path);

            public partial class JobQueue
            {
                public void PutPath(string path) => Put(new Job(path));
            }
        }
        """);

    [Fact]
    public Task FileLocalType() => Verifier.VerifyAsync(Usings + """
        [IpcQueue, MemoryPackable]
        file partial record {|TIPC108:Job|}(string Path);
        """);

    [Fact]
    public Task InterfaceUnionHasNoDiagnostic() => Verifier.VerifyAsync(Usings + """
        [IpcQueue, MemoryPackable]
        [MemoryPackUnion(0, typeof(Circle))]
        public partial interface IShape;

        [MemoryPackable]
        public partial class Circle : IShape
        {
            public double Radius { get; set; }
        }
        """);

    [Fact]
    public Task QueueTypeNameFreeInOtherNamespace() => Verifier.VerifyAsync(Usings + """
        namespace MyApp
        {
            [IpcQueue, MemoryPackable]
            public partial record Job(string Path);
        }

        namespace Elsewhere
        {
            public class JobQueue
            {
            }
        }
        """);

    [Theory]
    [InlineData("bad name")]
    [InlineData(".hidden")]
    [InlineData("a..b")]
    [InlineData("")]
    public Task InvalidExplicitName(string name) => Verifier.VerifyAsync(Usings + $$"""
        [IpcQueue(3, {|TIPC107:Name = "{{name}}"|}), MemoryPackable]
        public partial record Job(string Path);
        """);

    [Fact]
    public Task InvalidDefaultNameFromTypeName() => Verifier.VerifyAsync(Usings + """
        namespace Café;

        [{|TIPC107:IpcQueue|}, MemoryPackable]
        public partial record Job(string Path);
        """);

    [Fact]
    public Task ValidExplicitName() => Verifier.VerifyAsync(Usings + """
        [IpcQueue(3, Name = "jobs_v1.work-items"), MemoryPackable]
        public partial record Job(string Path);
        """);

    [Fact]
    public Task TypeWithoutIpcQueueIsIgnored() => Verifier.VerifyAsync(Usings + """
        public record Job(string Path);

        public class JobQueue
        {
        }
        """);
}
