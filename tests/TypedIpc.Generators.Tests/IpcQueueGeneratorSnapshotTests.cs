using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using TypedIpc.Generators.Tests.Support;
using Xunit.Abstractions;

namespace TypedIpc.Generators.Tests;

/// <summary>One snapshot per message shape the generator supports; each output must also compile with its input, its XML docs checked, without a diagnostic in the generated file.</summary>
public sealed class IpcQueueGeneratorSnapshotTests(ITestOutputHelper output)
{
    [Fact]
    public void Record() => VerifyGenerated("""
        using MemoryPack;
        using TypedIpc;

        namespace MyApp.Messages
        {
            [IpcQueue(maxsize: 3), MemoryPackable]
            public partial record Job(string Path, int Priority);
        }
        """);

    [Fact]
    public void ClassWithNameAndMaxMessageBytes() => VerifyGenerated("""
        using MemoryPack;
        using TypedIpc;

        namespace MyApp.Work;

        [IpcQueue(16, Name = "work.items", MaxMessageBytes = 8192)]
        [MemoryPackable]
        internal partial class WorkItem
        {
            public string Path { get; set; } = "";

            public int Attempt { get; set; }
        }
        """);

    [Fact]
    public void Struct() => VerifyGenerated("""
        using MemoryPack;
        using TypedIpc;

        namespace MyApp.Metrics;

        [IpcQueue, MemoryPackable]
        public readonly partial struct Tick
        {
            public Tick(long at, double value)
            {
                At = at;
                Value = value;
            }

            public long At { get; }

            public double Value { get; }
        }
        """);

    [Fact]
    public void RecordStruct() => VerifyGenerated("""
        using MemoryPack;
        using TypedIpc;

        namespace MyApp.Geometry;

        [IpcQueue(maxsize: 100), MemoryPackable]
        public partial record struct Point(int X, int Y);
        """);

    [Fact]
    public void Union() => VerifyGenerated("""
        using System.Collections.Generic;
        using MemoryPack;
        using TypedIpc;

        namespace MyApp.Tutorial;

        [IpcQueue(maxsize: 3), MemoryPackable]
        [MemoryPackUnion(0, typeof(TextMessage))]
        [MemoryPackUnion(1, typeof(DictionaryMessage))]
        [MemoryPackUnion(2, typeof(ListMessage))]
        public abstract partial class Message;

        [MemoryPackable]
        public partial class TextMessage : Message
        {
            public string Text { get; set; } = "";
        }

        [MemoryPackable]
        public partial class DictionaryMessage : Message
        {
            public Dictionary<string, string> Entries { get; set; } = new();
        }

        [MemoryPackable]
        public partial class ListMessage : Message
        {
            public List<string> Items { get; set; } = new();
        }
        """);

    [Fact]
    public void NestedInPartialContainers() => VerifyGenerated("""
        using MemoryPack;
        using TypedIpc;

        namespace MyApp;

        public static partial class Pipeline
        {
            internal partial struct Stage
            {
                [IpcQueue(maxsize: 8), MemoryPackable]
                internal partial record Job(string Path);
            }
        }
        """);

    [Fact]
    public void FileScopedNamespace() => VerifyGenerated("""
        using MemoryPack;
        using TypedIpc;

        namespace MyApp.Files;

        [IpcQueue(maxsize: 3), MemoryPackable]
        public partial record Job(string Path, int Priority);
        """);

    [Fact]
    public void GlobalNamespace() => VerifyGenerated("""
        using MemoryPack;
        using TypedIpc;

        [IpcQueue, MemoryPackable]
        public partial class Ping
        {
            public int Sequence { get; set; }
        }
        """);

    [Fact]
    public void InterfaceUnion() => VerifyGenerated(GeneratedCodeWarningMatrixTests.SourceOf("InterfaceUnion"));

    [Fact]
    public void ObsoleteMessageCarriesItsAttributeOntoTheQueue() => VerifyGenerated("""
        using System;
        using MemoryPack;
        using TypedIpc;

        namespace MyApp.Legacy;

        [Obsolete("Use JobV2.", DiagnosticId = "MYAPP002")]
        [IpcQueue, MemoryPackable]
        public partial record Job(string Path);
        """);

    [Fact]
    public void KeywordNamesAreEscaped() => VerifyGenerated(GeneratedCodeWarningMatrixTests.SourceOf("KeywordNames"));

    [Fact]
    public void RecordOverNats() => VerifyGeneratedWithNats("""
        using MemoryPack;
        using TypedIpc;

        namespace MyApp.Messages;

        [IpcQueue(maxsize: 3), MemoryPackable]
        public partial record Job(string Path, int Priority);
        """);

    [Fact]
    public void ClassWithNameAndMaxMessageBytesOverNats() => VerifyGeneratedWithNats("""
        using MemoryPack;
        using TypedIpc;

        namespace MyApp.Work;

        [IpcQueue(16, Name = "work.items", MaxMessageBytes = 8192)]
        [MemoryPackable]
        internal partial class WorkItem
        {
            public string Path { get; set; } = "";
        }
        """);

    [Fact]
    public void JoinableRecord() => VerifyGenerated("""
        using MemoryPack;
        using TypedIpc;

        namespace MyApp.Jobs;

        [IpcQueue(maxsize: 3, Joinable = true), MemoryPackable]
        public partial record Job(string Path);
        """);

    [Fact]
    public void JoinableWithMaxMessageBytesOverNats() => VerifyGeneratedWithNats("""
        using MemoryPack;
        using TypedIpc;

        namespace MyApp.Jobs;

        [IpcQueue(maxsize: 3, Joinable = true, MaxMessageBytes = 512), MemoryPackable]
        public partial record Job(string Path);
        """);

    [Fact]
    public void WithoutTypedIpcNatsNoNatsMemberIsEmitted()
    {
        var (result, _) = TestCompilation.Generate("""
            using MemoryPack;
            using TypedIpc;

            namespace MyApp.Messages;

            [IpcQueue(maxsize: 3), MemoryPackable]
            public partial record Job(string Path, int Priority);
            """);

        var generated = Assert.Single(result.GeneratedSources).SourceText.ToString();
        Assert.DoesNotContain("NATS", generated, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("OpenAsync", generated, StringComparison.Ordinal);
        Assert.DoesNotContain("IAsyncDisposable", generated, StringComparison.Ordinal);
    }

    private void VerifyGenerated(string source, [CallerMemberName] string testName = "") =>
        VerifyGenerated(source, TestCompilation.References, testName);

    private void VerifyGeneratedWithNats(string source, [CallerMemberName] string testName = "") =>
        VerifyGenerated(source, NatsReferences.All, testName);

    private void VerifyGenerated(string source, System.Collections.Immutable.ImmutableArray<MetadataReference> references, string testName)
    {
        var (result, compilation) = TestCompilation.Generate(TestCompilation.ParseOptions.WithDocumentationMode(DocumentationMode.Diagnose), references, source);

        Assert.Empty(result.Diagnostics);
        var generated = Assert.Single(result.GeneratedSources);
        Snapshot.Verify(testName, generated.HintName, generated.SourceText.ToString(), output);
        Assert.Empty(compilation.GetDiagnostics().Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error || diagnostic.Location.SourceTree == generated.SyntaxTree));
    }
}
