using MemoryPack;
using TypedIpc.Internal;
using TypedIpc.Tests.Support;
using TypedIpc.TestPeer;

namespace TypedIpc.Tests.Internal;

/// <summary>
/// The codec a message type gets: the direct one only where MemoryPack tracks no references, and the bytes always
/// MemoryPack's own (processes built with other versions of TypedIpc read each other's messages).
/// </summary>
public sealed partial class MessageCodecTests : IDisposable
{
    private readonly TestQueueName _name = new("codec");

    public void Dispose() => _name.Dispose();

    [Fact]
    public void Each_shape_gets_the_codec_that_is_safe_for_it()
    {
        Assert.IsType<UnmanagedCodec<Numbered>>(MessageCodec<Numbered>.Instance);
        Assert.IsType<PackableCodec<CodecPlain>>(MessageCodec<CodecPlain>.Instance);
        Assert.IsType<PackableCodec<TextMessage>>(MessageCodec<TextMessage>.Instance);
        Assert.IsType<PackableCodec<DictionaryMessage>>(MessageCodec<DictionaryMessage>.Instance);
        // A union's base type is written by MemoryPack's union formatter, not by members of its own.
        Assert.IsType<SerializerCodec<TutorialMessage>>(MessageCodec<TutorialMessage>.Instance);
        Assert.IsType<SerializerCodec<CodecNode>>(MessageCodec<CodecNode>.Instance);
        Assert.IsType<SerializerCodec<CodecHoldsNode>>(MessageCodec<CodecHoldsNode>.Instance);
        Assert.IsType<SerializerCodec<CodecUtf16>>(MessageCodec<CodecUtf16>.Instance);
        Assert.IsType<SerializerCodec<string>>(MessageCodec<string>.Instance);
    }

    [Fact]
    public void A_formatter_registered_in_place_of_the_generated_one_is_honored()
    {
        MemoryPackFormatterProvider.Register(new ShoutingFormatter());
        Assert.IsType<SerializerCodec<CodecCustom>>(MessageCodec<CodecCustom>.Instance);

        using var queue = SharedQueue<CodecCustom>.Open(_name, maxsize: 2);
        queue.PutNowait(new CodecCustom("quiet"));
        Assert.Equal(new CodecCustom("QUIET"), queue.GetNowait());
    }

    [Fact]
    public void The_direct_codec_writes_the_bytes_MemoryPack_writes_and_reads_them_back()
    {
        var text = new TextMessage("/var/spool/jobs/job-00001.bin");
        Assert.Equal(MemoryPackSerializer.Serialize(text), Write(text));
        Assert.Equal(text, MessageCodec<TextMessage>.Instance.Read(Write(text), new CodecState()));

        var plain = new CodecPlain("p", 7, [1, -2, long.MaxValue], ["t"], new DateTime(2026, 11, 28, 0, 0, 0, DateTimeKind.Utc));
        Assert.Equal(MemoryPackSerializer.Serialize(plain), Write(plain));
        Assert.Equal(MemoryPackSerializer.Serialize(plain), MemoryPackSerializer.Serialize(MessageCodec<CodecPlain>.Instance.Read(Write(plain), new CodecState())));
    }

    [Fact]
    public async Task A_message_whose_graph_tracks_references_carries_its_whole_graph_every_time()
    {
        using var queue = SharedQueue<CodecHoldsNode>.Open(_name, maxsize: 4);
        var node = new CodecNode { Value = 7 };
        node.Next = node;
        queue.PutNowait(new CodecHoldsNode("first", node, node));
        queue.PutNowait(new CodecHoldsNode("second", node, node));

        // Each get on its own thread, as in two processes: a message may not refer to objects of an earlier one.
        foreach (string name in new[] { "first", "second" })
        {
            CodecHoldsNode got = await Task.Factory.StartNew(queue.GetNowait, TaskCreationOptions.LongRunning);
            Assert.Equal((7, name), (got.First.Value, got.Name));
            Assert.Same(got.First, got.First.Next);
            Assert.Same(got.First, got.Second);
        }
    }

    private static unsafe byte[] Write<T>(T message)
    {
        var buffer = new byte[4096];
        fixed (byte* ring = buffer)
        {
            var writer = new RecordWriter();
            writer.Reset(ring, buffer.Length);
            MessageCodec<T>.Instance.Write(writer, in message);
            return buffer[..writer.Written];
        }
    }
}

[MemoryPackable]
public partial record CodecPlain(string Path, int Priority, long[] Numbers, List<string> Tags, DateTime When);

[MemoryPackable(GenerateType.CircularReference)]
public partial class CodecNode
{
    [MemoryPackOrder(0)]
    public int Value { get; set; }

    [MemoryPackOrder(1)]
    public CodecNode? Next { get; set; }
}

[MemoryPackable]
public partial record CodecHoldsNode(string Name, CodecNode First, CodecNode Second);

[MemoryPackable]
public partial record CodecUtf16([property: Utf16StringFormatter] string Text);

[MemoryPackable]
public partial record CodecCustom(string Text);

/// <summary>A user's formatter registered for a [MemoryPackable] type: it writes the text upper-cased.</summary>
public sealed class ShoutingFormatter : MemoryPackFormatter<CodecCustom>
{
    public override void Serialize<TBufferWriter>(ref MemoryPackWriter<TBufferWriter> writer, scoped ref CodecCustom? value) =>
        writer.WriteString(value!.Text.ToUpperInvariant());

    public override void Deserialize(ref MemoryPackReader reader, scoped ref CodecCustom? value) => value = new CodecCustom(reader.ReadString()!);
}
