using Verifier = TypedIpc.Generators.Tests.Support.AnalyzerVerifier<TypedIpc.Generators.LargePutAnalyzer>;

namespace TypedIpc.Generators.Tests;

public sealed class LargePutAnalyzerTests
{
    /// <summary>Message types the calls below put; the analyzer test adds their generated queues.</summary>
    private const string Messages = """
        using System;
        using System.Collections.Generic;
        using System.IO;
        using System.Threading.Tasks;
        using MemoryPack;
        using TypedIpc;

        [IpcQueue(maxsize: 3), MemoryPackable]
        public partial record Job(string Path, int Priority);

        [IpcQueue, MemoryPackable]
        public partial record Text(string Body);

        [IpcQueue, MemoryPackable]
        public partial record Samples(int[] Values);

        [IpcQueue, MemoryPackable]
        public partial record Stamp(Guid Id, DateTime At);

        """;

    [Fact]
    public Task WholeFileReadIntoGeneratedQueuePut() => Verifier.VerifyAsync(Messages + """
        public static class Producer
        {
            public static void Run(TextQueue queue, string path) =>
                queue.Put({|TIPC002:new Text(File.ReadAllText(path))|});
        }
        """);

    [Fact]
    public Task WholeFileReadIntoSharedQueue() => Verifier.VerifyAsync(Messages + """
        public static class Producer
        {
            public static void Run(SharedQueue<byte[]> queue, string path) =>
                queue.PutNowait({|TIPC002:File.ReadAllBytes(path)|});
        }
        """);

    [Fact]
    public Task AwaitedWholeFileRead() => Verifier.VerifyAsync(Messages + """
        public static class Producer
        {
            public static async Task RunAsync(TextQueue queue, string path) =>
                queue.TryPut({|TIPC002:new Text(await File.ReadAllTextAsync(path))|});
        }
        """);

    [Fact]
    public Task StreamReadToEnd() => Verifier.VerifyAsync(Messages + """
        public static class Producer
        {
            public static void Run(TextQueue queue, StreamReader reader) =>
                queue.Put({|TIPC002:new Text(reader.ReadToEnd())|}, block: false);
        }
        """);

    [Fact]
    public Task WholeFileReadThroughALocal() => Verifier.VerifyAsync(Messages + """
        public static class Producer
        {
            public static void Run(TextQueue queue, string path)
            {
                var body = File.ReadAllText(path);
                queue.Put({|TIPC002:new Text(body)|});
            }
        }
        """);

    [Fact]
    public Task LargeConstantLengthArray() => Verifier.VerifyAsync(Messages + """
        public static class Producer
        {
            public static void Run(SharedQueue<byte[]> queue) => queue.Put({|TIPC002:new byte[1_000_000]|});
        }
        """);

    [Fact]
    public Task LargeConstantLengthIntArrayInMessage() => Verifier.VerifyAsync(Messages + """
        public static class Producer
        {
            public static void Run(SamplesQueue queue) => queue.Put({|TIPC002:new Samples(new int[2000])|});
        }
        """);

    [Fact]
    public Task LargeConstantString() => Verifier.VerifyAsync(Messages + $$"""
        public static class Producer
        {
            private const string Banner = "{{new string('x', 5000)}}";

            public static void Run(TextQueue queue) => queue.Put({|TIPC002:new Text(Banner)|});
        }
        """);

    [Fact]
    public Task LargeRepeatedString() => Verifier.VerifyAsync(Messages + """
        public static class Producer
        {
            public static void Run(TextQueue queue) => queue.Put({|TIPC002:new Text(new string('x', 100_000))|});
        }
        """);

    [Fact]
    public Task CollectionExpressionOverConfiguredThreshold() => Verifier.VerifyAsync(
        Messages + """
        public static class Producer
        {
            public static void Run(SamplesQueue queue) => queue.Put({|TIPC002:new Samples([1, 2, 3, 4, 5])|});
        }
        """,
        editorConfig: "typedipc.large_payload_bytes = 16");

    [Fact]
    public Task CollectionInitializerOverConfiguredThreshold() => Verifier.VerifyAsync(
        Messages + """
        public static class Producer
        {
            public static void Run(SharedQueue<List<long>> queue) => queue.TryPut({|TIPC002:new List<long> { 1, 2, 3 }|});
        }
        """,
        editorConfig: "typedipc.large_payload_bytes = 16");

    [Fact]
    public Task ConfiguredThresholdAllowsBiggerArrays() => Verifier.VerifyAsync(
        Messages + """
        public static class Producer
        {
            public static void Run(SharedQueue<byte[]> queue) => queue.Put(new byte[10_000]);
        }
        """,
        editorConfig: "typedipc.large_payload_bytes = 65536");

    [Fact]
    public Task FixedSizeStructOverDefaultMaxMessageBytes() => Verifier.VerifyAsync(Messages + """
        [IpcQueue, MemoryPackable]
        public unsafe partial struct Frame
        {
            public int Width;
            public fixed byte Pixels[8192];
        }

        public static class Producer
        {
            public static void Run(FrameQueue queue, Frame frame) => queue.Put({|TIPC002:frame|});
        }
        """);

    [Fact]
    public Task FixedSizeStructOverDeclaredMaxMessageBytes() => Verifier.VerifyAsync(Messages + """
        [IpcQueue(MaxMessageBytes = 1024), MemoryPackable]
        public unsafe partial struct Frame
        {
            public fixed long Samples[200];
        }

        public static class Producer
        {
            public static void Run(FrameQueue queue, Frame frame) => queue.PutNowait({|TIPC002:frame|});
        }
        """);

    [Fact]
    public Task FixedSizeStructWithinDeclaredMaxMessageBytes() => Verifier.VerifyAsync(Messages + """
        [IpcQueue(MaxMessageBytes = 16384), MemoryPackable]
        public unsafe partial struct Frame
        {
            public int Width;
            public fixed byte Pixels[8192];
        }

        public static class Producer
        {
            public static void Run(FrameQueue queue, Frame frame) => queue.Put(frame);
        }
        """);

    [Fact]
    public Task WholeFileReadNestedInAConversion() => Verifier.VerifyAsync(Messages + """
        [IpcQueue, MemoryPackable]
        public partial record Upload(byte[] Body);

        public static class Producer
        {
            public static void Run(UploadQueue queue, string path) =>
                queue.Put({|TIPC002:new Upload(System.Text.Encoding.UTF8.GetBytes(File.ReadAllText(path)))|});
        }
        """);

    [Fact]
    public Task WholeFileReadPutThroughTheQueueInterface() => Verifier.VerifyAsync(Messages + """
        public static class Producer
        {
            public static void Run(IIpcQueue<Text> queue, string path) => queue.Put({|TIPC002:new Text(File.ReadAllText(path))|});
        }
        """);

    [Fact]
    public Task WholeFileReadPutAsync() => Verifier.VerifyAsync(Messages + """
        public static class Producer
        {
            public static System.Threading.Tasks.ValueTask Run(IIpcQueue<Text> queue, string path) =>
                queue.PutAsync({|TIPC002:new Text(File.ReadAllText(path))|});
        }
        """);

    [Fact]
    public Task BinaryReaderReadBytesOfAConstantLargeCount() => Verifier.VerifyAsync(Messages + """
        public static class Producer
        {
            public static void Run(SharedQueue<byte[]> queue, BinaryReader reader) => queue.Put({|TIPC002:reader.ReadBytes(1_000_000)|});
        }
        """);

    [Fact]
    public Task BinaryReaderReadBytesOfASmallOrUnknownCountDoesNotWarn() => Verifier.VerifyAsync(Messages + """
        public static class Producer
        {
            public static void Run(SharedQueue<byte[]> queue, BinaryReader reader, int count)
            {
                queue.Put(reader.ReadBytes(16));
                queue.Put(reader.ReadBytes(count));
            }
        }
        """);

    [Fact]
    public Task LocalReassignedAfterALargeInitializerDoesNotWarn() => Verifier.VerifyAsync(Messages + """
        public static class Producer
        {
            public static void Run(TextQueue queue, string path)
            {
                var body = File.ReadAllText(path);
                body = body[..256];
                queue.Put(new Text(body));
            }
        }
        """);

    [Fact]
    public Task FixedSizeStructWithinTheOptionsPassedToOpen() => Verifier.VerifyAsync(Messages + """
        public unsafe struct Frame
        {
            public int Width;
            public fixed byte Pixels[8192];
        }

        public static class Producer
        {
            public static void Run(Frame frame)
            {
                using var queue = SharedQueue<Frame>.Open("frames", options: new QueueOptions { MaxMessageBytes = 16384 });
                queue.Put(frame);
            }
        }
        """);

    [Fact]
    public Task FixedSizeStructOverTheOptionsPassedToOpen() => Verifier.VerifyAsync(Messages + """
        public unsafe struct Frame
        {
            public int Width;
            public fixed byte Pixels[8192];
        }

        public static class Producer
        {
            public static void Run(Frame frame)
            {
                using var queue = SharedQueue<Frame>.Open("frames", 4, new QueueOptions { MaxMessageBytes = 1024 });
                queue.Put({|TIPC002:frame|});
            }
        }
        """);

    [Fact]
    public Task OptionsPassedToAMethodMerelyNamedOpenSayNothingOfTheQueuesLimit() => Verifier.VerifyAsync(Messages + """
        public unsafe struct Frame
        {
            public int Width;
            public fixed byte Pixels[8192];
        }

        public static class Frames
        {
            public static SharedQueue<Frame> Open(string name, QueueOptions options) => SharedQueue<Frame>.Open(name);
        }

        public static class Producer
        {
            public static void Run(Frame frame)
            {
                using var queue = Frames.Open("frames", options: new QueueOptions { MaxMessageBytes = 16384 });
                queue.Put({|TIPC002:frame|});
            }
        }
        """);

    [Fact]
    public Task LargeConstantSizeMultidimensionalArray() => Verifier.VerifyAsync(Messages + """
        public static class Producer
        {
            public static void Run(SharedQueue<byte[,]> queue) => queue.Put({|TIPC002:new byte[2048, 2048]|});
        }
        """);

    [Fact]
    public Task FixedSizeStructWithinTheOptionsPassedToAGeneratedQueue() => Verifier.VerifyAsync(Messages + """
        [IpcQueue, MemoryPackable]
        public unsafe partial struct Frame
        {
            public fixed byte Pixels[8192];
        }

        public static class Producer
        {
            public static void Run(Frame frame)
            {
                using var queue = FrameQueue.Open(options: new QueueOptions { MaxMessageBytes = 16384 });
                queue.Put(frame);
            }
        }
        """);

    [Fact]
    public Task TheAttributesMaxMessageBytesWinsOverTheOptionsPassedToAGeneratedQueue() => Verifier.VerifyAsync(Messages + """
        [IpcQueue(MaxMessageBytes = 1024), MemoryPackable]
        public unsafe partial struct Frame
        {
            public fixed byte Pixels[8192];
        }

        public static class Producer
        {
            public static void Run(Frame frame)
            {
                using var queue = FrameQueue.Open(options: new QueueOptions { MaxMessageBytes = 16384 });
                queue.Put({|TIPC002:frame|});
            }
        }
        """);

    [Fact]
    public Task OverlappingFieldsOfAnExplicitLayoutAreNotSummed() => Verifier.VerifyAsync(Messages + """
        [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit)]
        public unsafe struct Frame
        {
            [System.Runtime.InteropServices.FieldOffset(0)] public fixed byte Pixels[3000];
            [System.Runtime.InteropServices.FieldOffset(0)] public fixed byte Samples[3000];
        }

        public static class Producer
        {
            public static void Run(SharedQueue<Frame> queue, Frame frame) => queue.Put(frame);
        }
        """);

    [Fact]
    public Task SmallMessagesDoNotWarn() => Verifier.VerifyAsync(Messages + """
        public static class Producer
        {
            public static void Run(JobQueue jobs, SamplesQueue samples, StampQueue stamps, SharedQueue<string> paths, string path)
            {
                jobs.Put(new Job(path, 1));
                jobs.Put(new Job("/data/input/" + Path.GetFileName(path), Priority: 2), timeout: TimeSpan.FromSeconds(3));
                jobs.TryPut(new Job($"/data/{path}.bin", 3));
                samples.Put(new Samples(new int[16]));
                samples.Put(new Samples(new[] { 1, 2, 3 }));
                samples.Put(new Samples([1, 2, 3]));
                stamps.Put(new Stamp(Guid.NewGuid(), DateTime.UtcNow));
                paths.PutNowait(Path.Combine("/data", "a.bin"));
            }
        }
        """);

    [Fact]
    public Task UnknownSizesDoNotWarn() => Verifier.VerifyAsync(Messages + """
        public static class Producer
        {
            public static void Run(SharedQueue<byte[]> queue, int length, byte[] hash) =>
                queue.Put(length > 32 ? hash : new byte[length]);
        }
        """);

    [Fact]
    public Task OtherMethodsAndTypesDoNotWarn() => Verifier.VerifyAsync(Messages + """
        public sealed class Cache
        {
            public void Put(byte[] value) { }
        }

        public static class Producer
        {
            public static void Run(Cache cache, TextQueue queue, string path)
            {
                cache.Put(File.ReadAllBytes(path));
                File.WriteAllText(path, queue.Get().Body);
            }
        }
        """);

    [Fact]
    public Task PragmaSuppressesTheWarning() => Verifier.VerifyAsync(Messages + """
        public static class Producer
        {
            public static void Run(TextQueue queue, string path)
            {
        #pragma warning disable TIPC002 // the config file is a few lines
                queue.Put(new Text(File.ReadAllText(path)));
        #pragma warning restore TIPC002
            }
        }
        """);
}
