using Microsoft.CodeAnalysis;
using TypedIpc.Generators.Tests.Support;

namespace TypedIpc.Generators.Tests;

/// <summary>What the generator emits, and refuses to emit, beyond the shapes of the snapshot tests.</summary>
public sealed class IpcQueueGeneratorTests
{
    private const string Usings = """
        using System;
        using MemoryPack;
        using TypedIpc;

        """;

    [Fact]
    public void MemoryPacks_generator_runs_next_to_TypedIpcs_as_in_a_real_build()
    {
        var (result, compilation) = TestCompilation.Generate(Usings + """
            namespace MyApp;

            [IpcQueue, MemoryPackable]
            public partial record Job(string Path);
            """);

        Assert.Single(result.GeneratedSources);
        var job = compilation.GetTypeByMetadataName("MyApp.Job")!;
        var serializable = compilation.GetTypeByMetadataName("MemoryPack.IMemoryPackable`1")!.Construct(job);
        Assert.Contains(serializable, job.AllInterfaces, SymbolEqualityComparer.Default);
        Assert.Empty(compilation.GetDiagnostics().Where(diagnostic => diagnostic.Severity >= DiagnosticSeverity.Warning));
    }

    [Fact]
    public void The_queue_implements_IIpcQueue_and_offers_Open_with_options_and_Capacity()
    {
        var (_, compilation) = TestCompilation.Generate(Usings + """
            namespace MyApp;

            [IpcQueue(maxsize: 3, MaxMessageBytes = 512), MemoryPackable]
            public partial record Job(string Path);

            public static class Worker
            {
                // Through the interface, every instance member the generated queue and SharedQueue<T> both have.
                public static int Drain(IIpcQueue<Job> queue, Span<Job> buffer) =>
                    queue.IsEmpty || queue.IsShutDown ? 0 : queue.GetMany(buffer, block: false) + (queue.IsFull ? queue.Capacity : queue.Count);

                public static int Run(System.Threading.CancellationToken cancellationToken)
                {
                    using var queue = JobQueue.Open("jobs.test", new QueueOptions { SpinDuration = TimeSpan.Zero });
                    queue.Put(new Job("a"), cancellationToken: cancellationToken);
                    queue.PutMany(new[] { new Job("b") }, timeout: TimeSpan.FromSeconds(1));
                    return queue.Capacity + Drain(queue, new Job[4]);
                }
            }
            """);

        Assert.Empty(compilation.GetDiagnostics().Where(diagnostic => diagnostic.Severity >= DiagnosticSeverity.Warning));
        var queue = compilation.GetTypeByMetadataName("MyApp.JobQueue")!;
        var contract = compilation.GetTypeByMetadataName("TypedIpc.IIpcQueue`1")!.Construct(compilation.GetTypeByMetadataName("MyApp.Job")!);
        Assert.Contains(contract, queue.AllInterfaces, SymbolEqualityComparer.Default);
    }

    public static TheoryData<string> Shapes() => new(GeneratedCodeWarningMatrixTests.Shapes.Keys);

    /// <summary>CS1591 checks the members of public queues only; an internal or nested queue is documented all the same.</summary>
    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_member_of_the_queue_but_its_private_storage_has_XML_docs(string shape)
    {
        var (result, compilation) = TestCompilation.Generate(
            TestCompilation.ParseOptions.WithDocumentationMode(DocumentationMode.Diagnose), GeneratedCodeWarningMatrixTests.SourceOf(shape));

        var generatedTree = Assert.Single(result.GeneratedSources).SyntaxTree;
        var queue = compilation.GetSymbolsWithName(name => name.EndsWith("Queue", StringComparison.Ordinal), SymbolFilter.Type)
            .OfType<INamedTypeSymbol>()
            .Single(type => type.DeclaringSyntaxReferences.Any(reference => reference.SyntaxTree.FilePath == generatedTree.FilePath));
        var members = queue.GetMembers()
            .Where(member => member is not IMethodSymbol { AssociatedSymbol: not null } // accessors: their property is documented
                && member.DeclaredAccessibility != Accessibility.Private
                && member.DeclaringSyntaxReferences.Any(reference => reference.SyntaxTree.FilePath == generatedTree.FilePath))
            .ToList();
        Assert.NotEmpty(members);
        Assert.All(new ISymbol[] { queue }.Concat(members), member =>
            Assert.False(string.IsNullOrWhiteSpace(member.GetDocumentationCommentXml()), $"{member} has no XML docs"));
    }

    [Fact]
    public void A_Joinable_queue_implements_IJoinableQueue_and_opens_joinable_and_others_have_no_joinable_member()
    {
        var (_, compilation) = TestCompilation.Generate(Usings + """
            namespace MyApp;

            [IpcQueue(maxsize: 3, Joinable = true), MemoryPackable]
            public partial record Job(string Path);

            [IpcQueue(maxsize: 3), MemoryPackable]
            public partial record Report(string Path);

            public static class Boss
            {
                public static async System.Threading.Tasks.Task Run(System.Threading.CancellationToken cancellationToken)
                {
                    using var queue = JobQueue.Open();
                    IJoinableQueue joinable = queue;
                    queue.Put(new Job("a"));
                    queue.Get();
                    queue.TaskDone();
                    queue.Join(cancellationToken);
                    await joinable.JoinAsync(cancellationToken);
                }
            }
            """);

        Assert.Empty(compilation.GetDiagnostics().Where(diagnostic => diagnostic.Severity >= DiagnosticSeverity.Warning));
        var joinableContract = compilation.GetTypeByMetadataName("TypedIpc.IJoinableQueue")!;
        var job = compilation.GetTypeByMetadataName("MyApp.JobQueue")!;
        var report = compilation.GetTypeByMetadataName("MyApp.ReportQueue")!;
        Assert.Contains(joinableContract, job.AllInterfaces, SymbolEqualityComparer.Default);
        Assert.DoesNotContain(joinableContract, report.AllInterfaces, SymbolEqualityComparer.Default);
        foreach (var member in new[] { "TaskDone", "Join", "JoinAsync", "IsJoinable" })
        {
            Assert.NotEmpty(job.GetMembers(member));
            Assert.Empty(report.GetMembers(member));
        }

        var open = Assert.Single(job.GetMembers("Open"));
        var source = open.DeclaringSyntaxReferences.Single().SyntaxTree.ToString();
        Assert.Contains("(options ?? global::TypedIpc.QueueOptions.Default) with { Joinable = true }", source);
    }

    [Fact]
    public void A_Joinable_queue_has_no_NATS_OpenAsync_even_with_TypedIpc_Nats_referenced()
    {
        var (result, _) = TestCompilation.Generate(
            TestCompilation.ParseOptions, NatsReferences.All, Usings + """
            namespace MyApp;

            [IpcQueue(maxsize: 3, Joinable = true), MemoryPackable]
            public partial record Job(string Path);

            [IpcQueue(maxsize: 3), MemoryPackable]
            public partial record Report(string Path);
            """);

        string Generated(string hintName) => result.GeneratedSources.Single(source => source.HintName == hintName).SourceText.ToString();
        Assert.DoesNotContain("OpenAsync", Generated("MyApp.JobQueue.g.cs"), StringComparison.Ordinal);
        Assert.Contains("OpenAsync", Generated("MyApp.ReportQueue.g.cs"), StringComparison.Ordinal);
    }

    [Fact]
    public void IpcQueue_on_two_declarations_of_one_type_still_lets_every_queue_be_generated()
    {
        var (result, _) = TestCompilation.Generate(Usings + """
            [IpcQueue, MemoryPackable]
            public partial record Job(string Path);

            [IpcQueue]
            public partial record Job;

            [IpcQueue, MemoryPackable]
            public partial record Report(string Path);
            """);

        Assert.Null(result.Exception);
        Assert.DoesNotContain(result.Diagnostics, diagnostic => diagnostic.Id == "CS8785");
        Assert.Equal(["JobQueue.g.cs", "ReportQueue.g.cs"], result.GeneratedSources.Select(source => source.HintName).Order());
    }

    [Fact]
    public void A_container_named_like_the_queue_gets_no_queue()
    {
        var (result, compilation) = TestCompilation.Generate(Usings + """
            public partial class JobQueue
            {
                [IpcQueue, MemoryPackable]
                public partial record Job(string Path);
            }
            """);

        Assert.Empty(result.GeneratedSources);
        Assert.DoesNotContain(compilation.GetDiagnostics(), diagnostic => diagnostic.Id == "CS0542");
    }

    [Fact]
    public void A_file_local_message_gets_no_queue()
    {
        var (result, compilation) = TestCompilation.Generate(Usings + """
            [IpcQueue, MemoryPackable]
            file partial record Job(string Path);
            """);

        Assert.Empty(result.GeneratedSources);
        Assert.DoesNotContain(compilation.GetDiagnostics(), diagnostic => diagnostic.Id is "CS0101" or "CS0260" or "CS9054");
    }

    [Fact]
    public void A_users_partial_queue_class_extends_the_generated_one()
    {
        var (result, compilation) = TestCompilation.Generate(Usings + """
            namespace MyApp;

            [IpcQueue, MemoryPackable]
            public partial record Job(string Path);

            public partial class JobQueue
            {
                public void PutPath(string path) => Put(new Job(path));
            }
            """);

        Assert.Single(result.GeneratedSources);
        Assert.Empty(compilation.GetDiagnostics().Where(diagnostic => diagnostic.Severity >= DiagnosticSeverity.Warning));
    }
}
