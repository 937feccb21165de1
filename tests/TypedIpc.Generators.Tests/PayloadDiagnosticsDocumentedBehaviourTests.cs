using Microsoft.CodeAnalysis;
using TypedIpc.Generators.Tests.Support;
using LargePutVerifier = TypedIpc.Generators.Tests.Support.AnalyzerVerifier<TypedIpc.Generators.LargePutAnalyzer>;

namespace TypedIpc.Generators.Tests;

/// <summary>
/// What docs/diagnostics/TIPC001.md and TIPC002.md promise beyond the cases of the analyzers' own test classes:
/// the expressions TIPC002 looks through, the message of TIPC001 naming the nested member, and the
/// <c>dotnet_diagnostic</c> severity option.
/// </summary>
public sealed class PayloadDiagnosticsDocumentedBehaviourTests
{
    private const string Messages = """
        using System;
        using System.Collections.Generic;
        using System.IO;
        using MemoryPack;
        using TypedIpc;

        [IpcQueue, MemoryPackable]
        public partial record Text(string Body);

        [IpcQueue, MemoryPackable]
        public partial record Lines(string[] Items);

        """;

    [Fact]
    public Task TIPC002_on_a_whole_file_read_with_ReadAllLines() => LargePutVerifier.VerifyAsync(Messages + """
        public static class Producer
        {
            public static void Run(LinesQueue queue, string path) => queue.Put({|TIPC002:new Lines(File.ReadAllLines(path))|});
        }
        """);

    [Fact]
    public Task TIPC002_looks_through_string_interpolation() => LargePutVerifier.VerifyAsync(Messages + """
        public static class Producer
        {
            public static void Run(TextQueue queue, string path) =>
                queue.Put({|TIPC002:new Text($"{Path.GetFileName(path)}: {File.ReadAllText(path)}")|});
        }
        """);

    [Fact]
    public Task TIPC002_looks_through_the_null_coalescing_operator() => LargePutVerifier.VerifyAsync(Messages + """
        public static class Producer
        {
            public static void Run(TextQueue queue, string? cached, string path) =>
                queue.Put({|TIPC002:new Text(cached ?? File.ReadAllText(path))|});
        }
        """);

    [Fact]
    public async Task TIPC002_severity_raised_to_error_by_dotnet_diagnostic_option()
    {
        var diagnostics = await ConfiguredProject.AnalyzeAsync(new LargePutAnalyzer(), Messages + """
            public static class Producer
            {
                public static void Run(TextQueue queue, string path) => queue.Put(new Text(File.ReadAllText(path)));
            }
            """,
            "dotnet_diagnostic.TIPC002.severity = error");

        Assert.Equal(DiagnosticSeverity.Error, Assert.Single(diagnostics, d => d.Id == "TIPC002").Severity);
    }

    [Fact]
    public async Task TIPC002_silenced_by_dotnet_diagnostic_option()
    {
        var diagnostics = await ConfiguredProject.AnalyzeAsync(new LargePutAnalyzer(), Messages + """
            public static class Producer
            {
                public static void Run(TextQueue queue, string path) => queue.Put(new Text(File.ReadAllText(path)));
            }
            """,
            "dotnet_diagnostic.TIPC002.severity = none");

        Assert.Empty(diagnostics);
    }

    [Fact]
    public async Task TIPC001_message_names_the_path_to_a_nested_member()
    {
        var diagnostics = await ConfiguredProject.AnalyzeAsync(new BulkDataMemberAnalyzer(), Messages + """
            [IpcQueue, MemoryPackable]
            public partial record Job(string Path, Preview Preview);

            [MemoryPackable]
            public partial record Preview(int Width, Thumbnail Small);

            [MemoryPackable]
            public partial record Thumbnail(byte[] Pixels);
            """);

        Assert.StartsWith("'Job.Preview.Small.Pixels' is byte[], bulk data", Assert.Single(diagnostics).GetMessage());
    }

    [Fact]
    public async Task TIPC001_message_names_the_path_through_a_collection()
    {
        var diagnostics = await ConfiguredProject.AnalyzeAsync(new BulkDataMemberAnalyzer(), Messages + """
            [IpcQueue, MemoryPackable]
            public partial record Mail(string To, List<Attachment> Attachments);

            [MemoryPackable]
            public partial record Attachment(string Name, byte[] Data);
            """);

        Assert.StartsWith("'Mail.Attachments.Data' is byte[], bulk data", Assert.Single(diagnostics).GetMessage());
    }

    [Fact]
    public async Task TIPC001_severity_raised_to_error_by_dotnet_diagnostic_option()
    {
        var diagnostics = await ConfiguredProject.AnalyzeAsync(new BulkDataMemberAnalyzer(), Messages + """
            [IpcQueue, MemoryPackable]
            public partial record Upload(string Name, byte[] Content);
            """,
            "dotnet_diagnostic.TIPC001.severity = error");

        Assert.Equal(DiagnosticSeverity.Error, Assert.Single(diagnostics, d => d.Id == "TIPC001").Severity);
    }
}
