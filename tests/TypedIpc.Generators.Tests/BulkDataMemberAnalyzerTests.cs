using Verifier = TypedIpc.Generators.Tests.Support.AnalyzerVerifier<TypedIpc.Generators.BulkDataMemberAnalyzer>;

namespace TypedIpc.Generators.Tests;

public sealed class BulkDataMemberAnalyzerTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.IO;
        using MemoryPack;
        using TypedIpc;

        """;

    [Fact]
    public Task ByteArrayInPositionalRecord() => Verifier.VerifyAsync(Usings + """
        [IpcQueue, MemoryPackable]
        public partial record Upload(string Name, byte[] {|TIPC001:Content|});
        """);

    [Theory]
    [InlineData("Memory<byte>")]
    [InlineData("ReadOnlyMemory<byte>")]
    [InlineData("ArraySegment<byte>")]
    [InlineData("ReadOnlyMemory<byte>?")]
    [InlineData("List<byte>")]
    [InlineData("byte[][]")]
    [InlineData("List<byte[]>")]
    [InlineData("Dictionary<string, byte[]>")]
    [InlineData("byte[,]")]
    [InlineData("System.Buffers.ReadOnlySequence<byte>")]
    public Task BulkPropertyTypes(string type) => Verifier.VerifyAsync(Usings + $$"""
        [IpcQueue, MemoryPackable]
        public partial class Upload
        {
            public {{type}} {|TIPC001:Content|} { get; set; }
        }
        """);

    [Fact]
    public Task StreamField() => Verifier.VerifyAsync(Usings + """
        [IpcQueue, MemoryPackable]
        public partial class Upload
        {
            public MemoryStream? {|TIPC001:Body|};
        }
        """);

    [Fact]
    public Task BulkDataInNestedMemoryPackableMember() => Verifier.VerifyAsync(Usings + """
        [IpcQueue, MemoryPackable]
        public partial record Job(string Path, Preview {|TIPC001:Preview|});

        [MemoryPackable]
        public partial record Preview(int Width, byte[] Pixels);
        """);

    [Fact]
    public Task BulkDataInCollectionOfNestedMemoryPackable() => Verifier.VerifyAsync(Usings + """
        [IpcQueue, MemoryPackable]
        public partial record Mail(string To, List<Attachment> {|TIPC001:Attachments|});

        [MemoryPackable]
        public partial record Attachment(string Name, ReadOnlyMemory<byte> Data);
        """);

    [Fact]
    public Task BulkDataInUnionCase() => Verifier.VerifyAsync(Usings + """
        [IpcQueue, MemoryPackable]
        [MemoryPackUnion(0, typeof(TextMessage))]
        [MemoryPackUnion(1, typeof(BlobMessage))]
        public abstract partial class Message;

        [MemoryPackable]
        public partial class TextMessage : Message
        {
            public string Text { get; set; } = "";
        }

        [MemoryPackable]
        public partial class BlobMessage : Message
        {
            public byte[] {|TIPC001:Blob|} { get; set; } = Array.Empty<byte>();
        }
        """);

    [Fact]
    public Task BulkDataInUnionBaseIsReportedOnce() => Verifier.VerifyAsync(Usings + """
        [IpcQueue, MemoryPackable]
        [MemoryPackUnion(0, typeof(TextMessage))]
        [MemoryPackUnion(1, typeof(NumberMessage))]
        public abstract partial class Message
        {
            public byte[] {|TIPC001:Attachment|} { get; set; } = Array.Empty<byte>();
        }

        [MemoryPackable]
        public partial class TextMessage : Message
        {
            public string Text { get; set; } = "";
        }

        [MemoryPackable]
        public partial class NumberMessage : Message
        {
            public int Number { get; set; }
        }
        """);

    [Fact]
    public Task TypeNestedInGenericTypeDoesNotCrashOrWarn() => Verifier.VerifyAsync(Usings + """
        public class Envelope<T>
        {
            public enum Kind { A, B }
        }

        [IpcQueue, MemoryPackable]
        public partial record Job(string Path, Envelope<int>.Kind Kind, List<Envelope<string>.Kind> Kinds);
        """);

    [Fact]
    public Task BulkDataInInterfaceUnionCase() => Verifier.VerifyAsync(Usings + """
        [IpcQueue, MemoryPackable]
        [MemoryPackUnion(0, typeof(Circle))]
        [MemoryPackUnion(1, typeof(Bitmap))]
        public partial interface IShape;

        [MemoryPackable]
        public partial class Circle : IShape
        {
            public double Radius { get; set; }
        }

        [MemoryPackable]
        public partial class Bitmap : IShape
        {
            public byte[] {|TIPC001:Pixels|} { get; set; } = Array.Empty<byte>();
        }
        """);

    [Fact]
    public Task ReferencesAndSmallValuesDoNotWarn() => Verifier.VerifyAsync(Usings + """
        public enum Priority { Low, High }

        public struct Range
        {
            public long Offset;
            public int Length;
        }

        [IpcQueue, MemoryPackable]
        public partial record Job(
            string Path,
            int Id,
            Guid RequestId,
            DateTime EnqueuedAt,
            Priority Priority,
            Range Range,
            int[] Shards,
            List<string> Tags,
            Dictionary<string, int> Counters);
        """);

    [Fact]
    public Task BlobReferencesDoNotWarn() => Verifier.VerifyAsync(Usings + """
        [IpcQueue, MemoryPackable]
        public partial record Photo(string Name, BlobRef Pixels, BlobRef? Thumbnail, BlobRef[] Pages, List<BlobRef> Attachments);
        """);

    [Fact]
    public Task MembersMemoryPackDoesNotSerializeDoNotWarn() => Verifier.VerifyAsync(Usings + """
        [IpcQueue, MemoryPackable]
        public partial class Job
        {
            public string Path { get; set; } = "";

            [MemoryPackIgnore]
            public byte[]? Cache { get; set; }

            private byte[]? _scratch;

            public static byte[] Shared = Array.Empty<byte>();

            public byte[]? Scratch() => _scratch;
        }
        """);

    [Fact]
    public Task TypeWithoutIpcQueueDoesNotWarn() => Verifier.VerifyAsync(Usings + """
        [MemoryPackable]
        public partial record Chunk(byte[] Data);
        """);

    [Fact]
    public Task PragmaSuppressesTheWarning() => Verifier.VerifyAsync(Usings + """
        [IpcQueue, MemoryPackable]
        public partial record Thumbnail(
            string Path,
        #pragma warning disable TIPC001 // 64-byte hashes, small by construction
            byte[] Hash);
        #pragma warning restore TIPC001
        """);
}
