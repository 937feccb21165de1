using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using TypedIpc.Generators.Tests.Support;

namespace TypedIpc.Generators.Tests;

/// <summary>
/// Every message shape users write, at every language version from C# 10 on: the generated files must not carry a
/// single diagnostic of any severity, because a user's build treats warnings as errors.
/// </summary>
public sealed class GeneratedCodeWarningMatrixTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using MemoryPack;
        using TypedIpc;

        """;

    /// <summary>The shapes, by name; each declares exactly one <c>[IpcQueue]</c> message.</summary>
    public static readonly IReadOnlyDictionary<string, string> Shapes = new Dictionary<string, string>
    {
        ["Class"] = """
            namespace MyApp.Messages
            {
                [IpcQueue(16, Name = "jobs", MaxMessageBytes = 8192), MemoryPackable]
                public partial class Job
                {
                    public string Path { get; set; } = "";
                }
            }
            """,
        ["Record"] = """
            namespace MyApp.Messages
            {
                [IpcQueue(maxsize: 3), MemoryPackable]
                public partial record Job(string Path, int Priority);
            }
            """,
        ["Struct"] = """
            namespace MyApp.Metrics
            {
                [IpcQueue, MemoryPackable]
                public partial struct Tick
                {
                    public long At;
                    public double Value;
                }
            }
            """,
        ["RecordStruct"] = """
            namespace MyApp.Geometry
            {
                [IpcQueue(maxsize: 100), MemoryPackable]
                public partial record struct Point(int X, int Y);
            }
            """,
        ["ReadonlyStruct"] = """
            namespace MyApp.Metrics
            {
                [IpcQueue, MemoryPackable]
                public readonly partial struct Tick
                {
                    [MemoryPackConstructor]
                    public Tick(long at) => At = at;

                    public long At { get; }
                }
            }
            """,
        ["ClassUnion"] = """
            namespace MyApp.Tutorial
            {
                [IpcQueue(maxsize: 3), MemoryPackable]
                [MemoryPackUnion(0, typeof(TextMessage))]
                [MemoryPackUnion(1, typeof(ListMessage))]
                public abstract partial class Message
                {
                }

                [MemoryPackable]
                public partial class TextMessage : Message
                {
                    public string Text { get; set; } = "";
                }

                [MemoryPackable]
                public partial class ListMessage : Message
                {
                    public List<string> Items { get; set; } = new();
                }
            }
            """,
        ["InterfaceUnion"] = """
            namespace MyApp.Drawing
            {
                [IpcQueue, MemoryPackable]
                [MemoryPackUnion(0, typeof(Circle))]
                [MemoryPackUnion(1, typeof(Square))]
                public partial interface IShape
                {
                }

                [MemoryPackable]
                public partial class Circle : IShape
                {
                    public double Radius { get; set; }
                }

                [MemoryPackable]
                public partial class Square : IShape
                {
                    public double Side { get; set; }
                }
            }
            """,
        ["NestedDeep"] = """
            namespace MyApp
            {
                public static partial class Pipeline
                {
                    internal partial struct Stage
                    {
                        public partial record Step
                        {
                            [IpcQueue(maxsize: 8), MemoryPackable]
                            internal partial record Job(string Path);
                        }
                    }
                }
            }
            """,
        ["GlobalNamespace"] = """
            [IpcQueue, MemoryPackable]
            public partial class Ping
            {
                public int Sequence { get; set; }
            }
            """,
        ["FileScopedNamespace"] = """
            namespace MyApp.Files;

            [IpcQueue(maxsize: 3), MemoryPackable]
            public partial record Job(string Path);
            """,
        ["Internal"] = """
            namespace MyApp.Hidden
            {
                [IpcQueue, MemoryPackable]
                internal partial record Secret(string Path);
            }
            """,
        ["Obsolete"] = """
            namespace MyApp.Legacy
            {
                [Obsolete("Use JobV2.")]
                [IpcQueue, MemoryPackable]
                public partial record Job(string Path);
            }
            """,
        ["ObsoleteError"] = """
            namespace MyApp.Legacy
            {
                [Obsolete("Gone; use JobV2.", true)]
                [IpcQueue, MemoryPackable]
                public partial record Job(string Path);
            }
            """,
        ["Experimental"] = """
            namespace MyApp.Preview
            {
                [System.Diagnostics.CodeAnalysis.Experimental("MYAPP001", UrlFormat = "https://example.com/{0}")]
                [IpcQueue, MemoryPackable]
                public partial record Job(string Path);
            }
            """,
        ["KeywordNames"] = """
            namespace MyApp.@event
            {
                public partial class @static
                {
                    [IpcQueue, MemoryPackable]
                    public partial record @class(string @string);
                }
            }
            """,
        ["UserExtendsQueue"] = """
            namespace MyApp.Messages
            {
                [IpcQueue, MemoryPackable]
                public partial record Job(string Path);

                public partial class JobQueue
                {
                    public void PutPath(string path) => Put(new Job(path));
                }
            }
            """,
    };

    /// <summary>C# 10, the first with record structs and file-scoped namespaces, through the newest this compiler knows.</summary>
    private static readonly LanguageVersion[] LanguageVersions = [LanguageVersion.CSharp10, LanguageVersion.CSharp11, LanguageVersion.CSharp12, LanguageVersion.Preview];

    /// <summary>The source of <paramref name="shape"/> with the usings it needs.</summary>
    public static string SourceOf(string shape) => Usings + Shapes[shape];

    public static TheoryData<string, LanguageVersion> ShapesAndLanguageVersions()
    {
        var data = new TheoryData<string, LanguageVersion>();
        foreach (var shape in Shapes.Keys)
        {
            foreach (var version in LanguageVersions)
            {
                data.Add(shape, version);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ShapesAndLanguageVersions))]
    public void Generated_code_has_no_diagnostic_of_any_severity(string shape, LanguageVersion languageVersion)
    {
        var (result, compilation) = TestCompilation.Generate(
            TestCompilation.ParseOptionsFor(languageVersion).WithDocumentationMode(DocumentationMode.Diagnose),
            SourceOf(shape));

        Assert.Empty(result.Diagnostics);
        Assert.NotEmpty(result.GeneratedSources);
        var generatedTrees = result.GeneratedSources.Select(source => source.SyntaxTree).ToHashSet();
        var fromGenerated = compilation.GetDiagnostics().Where(diagnostic => generatedTrees.Contains(diagnostic.Location.SourceTree!)).ToList();
        Assert.True(fromGenerated.Count == 0, string.Join(Environment.NewLine, fromGenerated));
        // MemoryPack's own code needs C# 11 on .NET 7 and later (static abstract interface members); below that only
        // the files TypedIpc generated are held to zero diagnostics.
        var errors = compilation.GetDiagnostics()
            .Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error && languageVersion >= LanguageVersion.CSharp11)
            .ToList();
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }
}
