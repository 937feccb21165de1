using Microsoft.CodeAnalysis.Testing;
using TypedIpc.CodeFixes.Tests.Support;
using static TypedIpc.CodeFixes.BulkDataMemberCodeFixProvider;

namespace TypedIpc.CodeFixes.Tests;

public sealed class BulkDataMemberCodeFixProviderTests
{
    [Fact]
    public Task Byte_array_record_parameter_becomes_a_BlobRef_and_its_arguments_write_blobs() => CodeFixVerifier.VerifyAsync("""
        [IpcQueue, MemoryPackable]
        public partial record Upload(string Name, byte[] {|TIPC001:Content|});

        public static class Producer
        {
            public static Upload Positional(byte[] data) => new Upload("a", data);

            public static Upload Named(byte[] data) => new(Content: data, Name: "b");

            public static Upload Replaced(Upload upload, byte[] data) => upload with { Content = data };
        }
        """, """
        [IpcQueue, MemoryPackable]
        public partial record Upload(string Name, BlobRef Content);

        public static class Producer
        {
            public static Upload Positional(byte[] data) => new Upload("a", SharedBlob.Write(data));

            public static Upload Named(byte[] data) => new(Content: SharedBlob.Write(data), Name: "b");

            public static Upload Replaced(Upload upload, byte[] data) => upload with { Content = SharedBlob.Write(data) };
        }
        """);

    [Fact]
    public Task Memory_members_are_written_through_their_Span() => CodeFixVerifier.VerifyAsync("""
        [IpcQueue, MemoryPackable]
        public partial class Frame
        {
            public ReadOnlyMemory<byte> {|TIPC001:Pixels|} { get; set; }
        }

        public static class Camera
        {
            public static Frame Capture(byte[] buffer, int used) => new Frame { Pixels = buffer.AsMemory(0, used) };

            public static Frame Either(bool first, ReadOnlyMemory<byte> a, ReadOnlyMemory<byte> b) => new Frame { Pixels = first ? a : b };
        }
        """, """
        [IpcQueue, MemoryPackable]
        public partial class Frame
        {
            public BlobRef? Pixels { get; set; }
        }

        public static class Camera
        {
            public static Frame Capture(byte[] buffer, int used) => new Frame { Pixels = SharedBlob.Write(buffer.AsMemory(0, used).Span) };

            public static Frame Either(bool first, ReadOnlyMemory<byte> a, ReadOnlyMemory<byte> b) => new Frame { Pixels = SharedBlob.Write((first ? a : b).Span) };
        }
        """);

    [Fact]
    public Task Nullable_stream_field_becomes_a_nullable_BlobRef_and_null_stays_null() => CodeFixVerifier.VerifyAsync("""
        [IpcQueue, MemoryPackable]
        public partial class Upload
        {
            public string Name = "";
            public MemoryStream? {|TIPC001:Body|} = null;
        }

        public static class Producer
        {
            public static void Fill(Upload upload, MemoryStream body)
            {
                upload.Body = body;
                upload.Body = null;
            }
        }
        """, """
        [IpcQueue, MemoryPackable]
        public partial class Upload
        {
            public string Name = "";
            public BlobRef? Body;
        }

        public static class Producer
        {
            public static void Fill(Upload upload, MemoryStream body)
            {
                upload.Body = SharedBlob.Write(body);
                upload.Body = null;
            }
        }
        """);

    [Fact]
    public Task An_empty_initializer_is_dropped_and_the_BlobRef_may_be_null() => CodeFixVerifier.VerifyAsync("""
        [IpcQueue, MemoryPackable]
        public partial class Upload
        {
            public Memory<byte> {|TIPC001:Content|} { get; set; } = Memory<byte>.Empty;

            public byte[] {|TIPC001:Header|} = Array.Empty<byte>();

            public Stream {|TIPC001:Body|} { get; set; } = Stream.Null;
        }
        """, """
        [IpcQueue, MemoryPackable]
        public partial class Upload
        {
            public BlobRef? Content { get; set; }

            public BlobRef? Header;

            public BlobRef? Body { get; set; }
        }
        """);

    [Fact]
    public Task An_initializer_with_data_is_written_to_a_blob_not_dropped() => CodeFixVerifier.VerifyAsync("""
        [IpcQueue, MemoryPackable]
        public partial class Upload(byte[] content)
        {
            public byte[] {|TIPC001:Content|} { get; } = content;
        }
        """, """
        [IpcQueue, MemoryPackable]
        public partial class Upload(byte[] content)
        {
            public BlobRef Content { get; } = SharedBlob.Write(content);
        }
        """);

    [Fact]
    public Task An_initializer_from_a_member_merely_named_Empty_is_data_and_is_kept() => CodeFixVerifier.VerifyAsync("""
        public static class Canvas
        {
            /// <summary>A blank 64 x 64 image: 4096 zero bytes that the consumer needs.</summary>
            public static byte[] Empty => new byte[64 * 64];
        }

        [IpcQueue, MemoryPackable]
        public partial class Sketch
        {
            public byte[] {|TIPC001:Pixels|} { get; set; } = Canvas.Empty;
        }
        """, """
        public static class Canvas
        {
            /// <summary>A blank 64 x 64 image: 4096 zero bytes that the consumer needs.</summary>
            public static byte[] Empty => new byte[64 * 64];
        }

        [IpcQueue, MemoryPackable]
        public partial class Sketch
        {
            public BlobRef Pixels { get; set; } = SharedBlob.Write(Canvas.Empty);
        }
        """);

    [Fact]
    public Task A_member_assigned_in_every_constructor_stays_non_nullable() => CodeFixVerifier.VerifyAsync("""
        [IpcQueue, MemoryPackable]
        public partial class Upload
        {
            public Upload(byte[] content)
            {
                Content = content;
            }

            public byte[] {|TIPC001:Content|} { get; }
        }
        """, """
        [IpcQueue, MemoryPackable]
        public partial class Upload
        {
            public Upload(byte[] content)
            {
                Content = SharedBlob.Write(content);
            }

            public BlobRef Content { get; }
        }
        """);

    [Fact]
    public Task A_member_one_constructor_leaves_without_a_value_becomes_nullable() => CodeFixVerifier.VerifyAsync("""
        [IpcQueue, MemoryPackable]
        public partial class Upload
        {
            [MemoryPackConstructor]
            public Upload()
            {
            }

            public Upload(byte[] content)
            {
                Content = content;
            }

            public byte[] {|TIPC001:Content|} { get; set; } = Array.Empty<byte>();
        }
        """, """
        [IpcQueue, MemoryPackable]
        public partial class Upload
        {
            [MemoryPackConstructor]
            public Upload()
            {
            }

            public Upload(byte[] content)
            {
                Content = SharedBlob.Write(content);
            }

            public BlobRef? Content { get; set; }
        }
        """);

    [Fact]
    public Task A_member_every_constructor_assigns_or_chains_to_one_that_does_stays_non_nullable() => CodeFixVerifier.VerifyAsync("""
        [IpcQueue, MemoryPackable]
        public partial class Upload
        {
            public Upload()
                : this(Array.Empty<byte>())
            {
            }

            [MemoryPackConstructor]
            public Upload(byte[] content)
            {
                Content = content;
            }

            public byte[] {|TIPC001:Content|} { get; set; }
        }
        """, """
        [IpcQueue, MemoryPackable]
        public partial class Upload
        {
            public Upload()
                : this(Array.Empty<byte>())
            {
            }

            [MemoryPackConstructor]
            public Upload(byte[] content)
            {
                Content = SharedBlob.Write(content);
            }

            public BlobRef Content { get; set; }
        }
        """);

    [Fact]
    public Task A_required_member_stays_non_nullable() => CodeFixVerifier.VerifyAsync("""
        [IpcQueue, MemoryPackable]
        public partial class Upload
        {
            public required byte[] {|TIPC001:Content|} { get; init; }
        }

        public static class Producer
        {
            public static Upload Make(byte[] data) => new Upload { Content = data };
        }
        """, """
        [IpcQueue, MemoryPackable]
        public partial class Upload
        {
            public required BlobRef Content { get; init; }
        }

        public static class Producer
        {
            public static Upload Make(byte[] data) => new Upload { Content = SharedBlob.Write(data) };
        }
        """);

    [Fact]
    public Task A_member_assigned_only_in_another_types_constructor_becomes_nullable() => CodeFixVerifier.VerifyAsync("""
        [IpcQueue, MemoryPackable]
        public partial class Upload
        {
            public byte[] {|TIPC001:Content|} { get; set; } = Array.Empty<byte>();
        }

        public sealed class Uploader
        {
            public Uploader(Upload upload, byte[] data)
            {
                upload.Content = data;
            }
        }
        """, """
        [IpcQueue, MemoryPackable]
        public partial class Upload
        {
            public BlobRef? Content { get; set; }
        }

        public sealed class Uploader
        {
            public Uploader(Upload upload, byte[] data)
            {
                upload.Content = SharedBlob.Write(data);
            }
        }
        """);

    [Fact]
    public Task A_property_with_accessor_bodies_gets_no_fix()
    {
        const string source = """
            [IpcQueue, MemoryPackable]
            public partial class Upload
            {
                private byte[] _content = Array.Empty<byte>();

                public byte[] {|TIPC001:Content|}
                {
                    get => _content;
                    set => _content = value;
                }
            }
            """;
        return CodeFixVerifier.VerifyAsync(source, source);
    }

    [Fact]
    public Task Without_using_TypedIpc_the_names_are_qualified()
    {
        var test = CodeFixVerifier.Create();
        test.TestCode = """
            using MemoryPack;

            [TypedIpc.IpcQueue, MemoryPackable]
            public partial record Upload(byte[] {|TIPC001:Content|});

            public static class Producer
            {
                public static Upload Make(byte[] data) => new Upload(data);
            }
            """;
        test.FixedCode = """
            using MemoryPack;

            [TypedIpc.IpcQueue, MemoryPackable]
            public partial record Upload(TypedIpc.BlobRef Content);

            public static class Producer
            {
                public static Upload Make(byte[] data) => new Upload(TypedIpc.SharedBlob.Write(data));
            }
            """;
        return test.RunAsync();
    }

    [Fact]
    public Task File_ReadAllBytes_feeding_the_member_offers_the_file_path_instead() => CodeFixVerifier.VerifyAsync("""
        [IpcQueue, MemoryPackable]
        public partial record Upload(string Name, byte[] {|TIPC001:Content|});

        public static class Producer
        {
            public static Upload FromFile(string path) => new Upload(Path.GetFileName(path), File.ReadAllBytes(path));

            public static Upload FromFolder(string folder) => new(Name: "x", Content: File.ReadAllBytes(Path.Combine(folder, "x")));
        }
        """, """
        [IpcQueue, MemoryPackable]
        public partial record Upload(string Name, string Content);

        public static class Producer
        {
            public static Upload FromFile(string path) => new Upload(Path.GetFileName(path), path);

            public static Upload FromFolder(string folder) => new(Name: "x", Content: Path.Combine(folder, "x"));
        }
        """, FilePathKey);

    [Fact]
    public Task The_BlobRef_fix_also_applies_where_File_ReadAllBytes_feeds_the_member() => CodeFixVerifier.VerifyAsync("""
        [IpcQueue, MemoryPackable]
        public partial record Upload(byte[] {|TIPC001:Content|});

        public static class Producer
        {
            public static Upload FromFile(string path) => new Upload(File.ReadAllBytes(path));
        }
        """, """
        [IpcQueue, MemoryPackable]
        public partial record Upload(BlobRef Content);

        public static class Producer
        {
            public static Upload FromFile(string path) => new Upload(SharedBlob.Write(File.ReadAllBytes(path)));
        }
        """);

    [Fact]
    public Task The_file_path_fix_is_not_offered_when_some_value_is_not_read_from_a_file()
    {
        const string source = """
            [IpcQueue, MemoryPackable]
            public partial record Upload(byte[] {|TIPC001:Content|});

            public static class Producer
            {
                public static Upload FromFile(string path) => new Upload(File.ReadAllBytes(path));

                public static Upload FromMemory(byte[] data) => new Upload(data);
            }
            """;
        return CodeFixVerifier.VerifyAsync(source, source, FilePathKey);
    }

    [Fact]
    public Task The_file_path_fix_is_not_offered_when_nothing_feeds_the_member()
    {
        const string source = """
            [IpcQueue, MemoryPackable]
            public partial record Upload(byte[] {|TIPC001:Content|});
            """;
        return CodeFixVerifier.VerifyAsync(source, source, FilePathKey);
    }

    [Theory]
    [InlineData("List<byte>")]
    [InlineData("byte[][]")]
    [InlineData("ReadOnlyMemory<byte>?")]
    public Task Collections_of_bytes_and_nullable_memory_get_no_fix(string type)
    {
        string source = $$"""
            [IpcQueue, MemoryPackable]
            public partial class Upload
            {
                public {{type}} {|TIPC001:Content|} { get; set; } = default!;
            }
            """;
        return CodeFixVerifier.VerifyAsync(source, source);
    }

    [Fact]
    public Task A_member_whose_type_only_contains_bulk_data_gets_no_fix()
    {
        const string source = """
            [IpcQueue, MemoryPackable]
            public partial record Job(string Path, Preview {|TIPC001:Preview|});

            [MemoryPackable]
            public partial record Preview(int Width, byte[] Pixels);
            """;
        return CodeFixVerifier.VerifyAsync(source, source);
    }

    [Fact]
    public Task Fix_all_in_document_converts_every_member_of_every_message()
    {
        var test = CodeFixVerifier.Create();
        test.CodeFixTestBehaviors = CodeFixTestBehaviors.SkipFixAllInProjectCheck | CodeFixTestBehaviors.SkipFixAllInSolutionCheck;
        test.NumberOfFixAllInDocumentIterations = 1;
        test.TestCode = CodeFixVerifier.Usings + """
            [IpcQueue, MemoryPackable]
            public partial record Photo(string Name, byte[] {|TIPC001:Thumbnail|}, Stream {|TIPC001:Original|});

            [IpcQueue, MemoryPackable]
            public partial class Scan
            {
                public ReadOnlyMemory<byte> {|TIPC001:Page|} { get; set; }
            }

            public static class Producer
            {
                public static Photo Take(byte[] small, Stream big) => new Photo("p", small, big);

                public static Scan Read(byte[] page) => new Scan { Page = page };
            }
            """;
        test.FixedCode = CodeFixVerifier.Usings + """
            [IpcQueue, MemoryPackable]
            public partial record Photo(string Name, BlobRef Thumbnail, BlobRef Original);

            [IpcQueue, MemoryPackable]
            public partial class Scan
            {
                public BlobRef? Page { get; set; }
            }

            public static class Producer
            {
                public static Photo Take(byte[] small, Stream big) => new Photo("p", SharedBlob.Write(small), SharedBlob.Write(big));

                public static Scan Read(byte[] page) => new Scan { Page = SharedBlob.Write(page) };
            }
            """;
        return test.RunAsync();
    }

    [Fact]
    public Task Fix_all_in_project_converts_the_messages_of_every_document()
    {
        var test = CodeFixVerifier.Create(FilePathKey);
        test.CodeFixTestBehaviors = CodeFixTestBehaviors.SkipFixAllInDocumentCheck | CodeFixTestBehaviors.SkipFixAllInSolutionCheck;
        test.NumberOfFixAllInProjectIterations = 1;
        test.TestState.Sources.Add(("Upload.cs", CodeFixVerifier.Usings + """
            [IpcQueue, MemoryPackable]
            public partial record Upload(byte[] {|TIPC001:Content|});

            public static class Uploads
            {
                public static Upload Of(string path) => new Upload(File.ReadAllBytes(path));
            }
            """));
        test.TestState.Sources.Add(("Archive.cs", CodeFixVerifier.Usings + """
            [IpcQueue, MemoryPackable]
            public partial record Archive(byte[] {|TIPC001:Zip|});

            public static class Archives
            {
                public static Archive Of(string folder) => new Archive(File.ReadAllBytes(folder + ".zip"));
            }
            """));
        test.FixedState.Sources.Add(("Upload.cs", CodeFixVerifier.Usings + """
            [IpcQueue, MemoryPackable]
            public partial record Upload(string Content);

            public static class Uploads
            {
                public static Upload Of(string path) => new Upload(path);
            }
            """));
        test.FixedState.Sources.Add(("Archive.cs", CodeFixVerifier.Usings + """
            [IpcQueue, MemoryPackable]
            public partial record Archive(string Zip);

            public static class Archives
            {
                public static Archive Of(string folder) => new Archive(folder + ".zip");
            }
            """));
        return test.RunAsync();
    }

    [Fact]
    public Task Fix_all_in_solution_converts_the_messages_of_every_project()
    {
        var test = CodeFixVerifier.Create();
        test.CodeFixTestBehaviors = CodeFixTestBehaviors.SkipFixAllInDocumentCheck | CodeFixTestBehaviors.SkipFixAllInProjectCheck;
        test.NumberOfFixAllIterations = 1;
        test.TestState.Sources.Add(CodeFixVerifier.Usings + """
            [IpcQueue, MemoryPackable]
            public partial record Upload(byte[] {|TIPC001:Content|});
            """);
        test.FixedState.Sources.Add(CodeFixVerifier.Usings + """
            [IpcQueue, MemoryPackable]
            public partial record Upload(BlobRef Content);
            """);
        var other = new ProjectState("Other", Microsoft.CodeAnalysis.LanguageNames.CSharp, "/Other/Test", "cs");
        test.TestState.AdditionalProjects.Add("Other", other);
        other.AdditionalReferences.AddRange(Generators.Tests.Support.TestCompilation.References);
        other.Sources.Add(CodeFixVerifier.Usings + """
            [IpcQueue, MemoryPackable]
            public partial record Frame(ReadOnlyMemory<byte> {|TIPC001:Pixels|});
            """);
        var otherFixed = new ProjectState("Other", Microsoft.CodeAnalysis.LanguageNames.CSharp, "/Other/Test", "cs");
        test.FixedState.AdditionalProjects.Add("Other", otherFixed);
        otherFixed.AdditionalReferences.AddRange(Generators.Tests.Support.TestCompilation.References);
        otherFixed.Sources.Add(CodeFixVerifier.Usings + """
            [IpcQueue, MemoryPackable]
            public partial record Frame(BlobRef Pixels);
            """);
        return test.RunAsync();
    }
}
