using System.Globalization;
using System.Text.RegularExpressions;
using TypedIpc.Generators.Tests.Support;

namespace TypedIpc.Generators.Tests;

/// <summary>The fingerprint follows the wire schema: stable for the same members, different when any of them changes.</summary>
public sealed partial class SchemaFingerprintTests
{
    private const string Job = """
        using MemoryPack;
        using TypedIpc;

        namespace MyApp;

        [IpcQueue(maxsize: 3), MemoryPackable]
        public partial record Job(string Path, int Priority, Meta Meta);

        [MemoryPackable]
        public partial record Meta(long Size);
        """;

    [Fact]
    public void CanonicalSchemaListsMembersInOrderWithTheirTypes()
    {
        Assert.Equal(
            "typedipc-schema/1 global::MyApp.Job{Path:global::System.String;Priority:global::System.Int32;Meta:global::MyApp.Meta{Size:global::System.Int64}}",
            CanonicalSchemaOf(Job, "MyApp.Job"));
    }

    [Fact]
    public void FingerprintIsTheFnv1aHashOfTheCanonicalSchema()
    {
        // FNV-1a-64 of "a" from the reference test vectors: the hash does not depend on the machine or the runtime.
        Assert.Equal(0xaf63dc4c8601ec8cUL, SchemaFingerprint.Fnv1a64("a"));
        Assert.Equal(SchemaFingerprint.Fnv1a64(CanonicalSchemaOf(Job, "MyApp.Job")), FingerprintOf(Job));
    }

    [Fact]
    public void SameSchemaGivesTheSameFingerprint()
    {
        var reformatted = Job.Replace("string Path, int Priority", "string  Path ,\n    int Priority", StringComparison.Ordinal);

        Assert.Equal(FingerprintOf(Job), FingerprintOf(Job));
        Assert.Equal(FingerprintOf(Job), FingerprintOf(reformatted));
    }

    [Theory]
    [InlineData("string Path, int Priority, Meta Meta", "string Path, int Priority, Meta Meta) { [MemoryPackIgnore] public int Cached { get; set; } }; public partial record Unused(int X")]
    [InlineData("string Path, int Priority, Meta Meta", "string? Path, int Priority, Meta Meta")]
    [InlineData("public partial record Meta(long Size);", "public partial record Meta(long Size) { private int _scratch; public int Twice() => _scratch * 2; }")]
    public void ChangesOutsideTheWireSchemaKeepTheFingerprint(string original, string replacement) =>
        Assert.Equal(FingerprintOf(Job), FingerprintOf(Job.Replace(original, replacement, StringComparison.Ordinal)));

    [Theory]
    [InlineData("string Path, int Priority", "string FilePath, int Priority")]
    [InlineData("string Path, int Priority", "int Priority, string Path")]
    [InlineData("string Path, int Priority", "string Path, long Priority")]
    [InlineData("string Path, int Priority", "string Path, int Priority, bool Urgent")]
    [InlineData("record Job(", "record Task(")]
    [InlineData("record Meta(long Size)", "record Meta(int Size)")]
    public void ChangesToTheWireSchemaChangeTheFingerprint(string original, string replacement)
    {
        var changed = Job.Replace(original, replacement, StringComparison.Ordinal);

        Assert.NotEqual(Job, changed);
        Assert.NotEqual(FingerprintOf(Job), FingerprintOf(changed));
    }

    [Fact]
    public void UnionFingerprintCoversTagsAndCases()
    {
        const string union = """
            using MemoryPack;
            using TypedIpc;

            [IpcQueue, MemoryPackable]
            [MemoryPackUnion(0, typeof(Text))]
            [MemoryPackUnion(1, typeof(Number))]
            public abstract partial class Message;

            [MemoryPackable]
            public partial class Text : Message { public string Value { get; set; } = ""; }

            [MemoryPackable]
            public partial class Number : Message { public int Value { get; set; } }
            """;

        var swappedTags = union.Replace("(0, typeof(Text))", "(2, typeof(Text))", StringComparison.Ordinal);
        var changedCase = union.Replace("public int Value", "public long Value", StringComparison.Ordinal);

        Assert.NotEqual(FingerprintOf(union), FingerprintOf(swappedTags));
        Assert.NotEqual(FingerprintOf(union), FingerprintOf(changedCase));
    }

    [Fact]
    public void ExplicitMemoryPackOrderDecidesTheOrder()
    {
        const string ordered = """
            using MemoryPack;
            using TypedIpc;

            [IpcQueue, MemoryPackable(SerializeLayout.Explicit)]
            public partial class Pair
            {
                [MemoryPackOrder(1)] public int First { get; set; }
                [MemoryPackOrder(0)] public int Second { get; set; }
            }
            """;

        Assert.Equal("typedipc-schema/1 global::Pair{Second:global::System.Int32;First:global::System.Int32}", CanonicalSchemaOf(ordered, "Pair"));
    }

    [Fact]
    public void A_type_nested_in_a_generic_type_is_described_with_its_containers_type_arguments()
    {
        const string envelope = """
            using MemoryPack;
            using TypedIpc;

            public class Envelope<T>
            {
                public enum Kind { A, B }
            }

            [IpcQueue, MemoryPackable]
            public partial record Job(Envelope<int>.Kind Kind);
            """;

        Assert.Equal("typedipc-schema/1 global::Job{Kind:global::Envelope<global::System.Int32>.Kind}", CanonicalSchemaOf(envelope, "Job"));
        Assert.NotEqual(FingerprintOf(envelope), FingerprintOf(envelope.Replace("Envelope<int>.Kind", "Envelope<long>.Kind", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("VersionTolerant")]
    [InlineData("CircularReference")]
    public void Members_added_to_a_version_tolerant_type_keep_the_fingerprint(string generateType)
    {
        var tolerant = $$"""
            using MemoryPack;
            using TypedIpc;

            [IpcQueue, MemoryPackable(GenerateType.{{generateType}})]
            public partial class Job
            {
                [MemoryPackOrder(0)] public string Path { get; set; } = "";
            }
            """;
        var extended = tolerant.Replace(
            "public string Path { get; set; } = \"\";",
            "public string Path { get; set; } = \"\"; [MemoryPackOrder(1)] public int Priority { get; set; }",
            StringComparison.Ordinal);

        Assert.NotEqual(tolerant, extended);
        Assert.Equal(FingerprintOf(tolerant), FingerprintOf(extended));
    }

    private static string CanonicalSchemaOf(string source, string metadataName)
    {
        var compilation = TestCompilation.Create(source);
        return SchemaFingerprint.CanonicalSchema(KnownTypes.Of(compilation)!, compilation.GetTypeByMetadataName(metadataName)!);
    }

    private static ulong FingerprintOf(string source)
    {
        var (result, _) = TestCompilation.Generate(source);
        var generated = Assert.Single(result.GeneratedSources).SourceText.ToString();
        var match = FingerprintAttribute().Match(generated);
        Assert.True(match.Success, "The generated source has no [IpcSchemaFingerprint].");
        return ulong.Parse(match.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"IpcSchemaFingerprint\(0x([0-9A-F]{16})UL\)")]
    private static partial Regex FingerprintAttribute();
}
