using System.Diagnostics;
using System.IO.Hashing;
using System.Security.Cryptography;
using TypedIpc;
using TypedIpc.Samples;

namespace BigPayloads;

/// <summary>
/// The producer process: moves the same frames to a consumer process twice, once as blob references and once inline
/// in the queue message, and prints the throughput of each.
/// </summary>
internal static class Producer
{
    private const int BytesPerSize = 256 << 20;
    private static readonly int[] FrameSizes = [1 << 20, 2 << 20, 4 << 20, InlineFrame.MaxFrameBytes];
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static int Run(TextWriter output)
    {
        string runName = RunQueues.UniqueName("big-payloads");
        var consumers = new List<RoleProcess>();
        try
        {
            using var queues = new FrameQueues(runName);
            consumers.Add(RoleProcess.Start(Consumer.Role, nameof(Transport.BlobRef), runName));
            consumers.Add(RoleProcess.Start(Consumer.Role, nameof(Transport.Inline), runName));
            output.WriteLine($"Producer (pid {Environment.ProcessId}) sends {BytesPerSize >> 20} MiB of frames per size to consumer {consumers[0].Id} as");
            output.WriteLine($"blob references ('{runName}.blobs') and to consumer {consumers[1].Id} inline in the message ('{runName}.inline').");
            output.WriteLine("Each consumer hashes every frame it gets and sends the hash back; MB/s counts 10^6 bytes.");
            output.WriteLine();
            output.WriteLine($"{"frame",-8}{"frames",8}{"BlobRef MB/s",15}{"inline MB/s",14}{"BlobRef/inline",16}");

            // One untimed round first, so that neither transport pays for the JIT or the first touch of its queue.
            Compare(queues, FrameSizes[0], frames: 4);
            foreach (int frameBytes in FrameSizes)
            {
                int frames = BytesPerSize / frameBytes;
                (double viaBlobs, double inline) = Compare(queues, frameBytes, frames);
                output.WriteLine($"{$"{frameBytes >> 20} MiB",-8}{frames,8}{viaBlobs,15:N0}{inline,14:N0}{viaBlobs / inline,15:0.00}x");
            }

            queues.Blobs.Put(new BlobFrame(Consumer.Stop, SharedBlob.Write([])), timeout: Patience);
            queues.Inline.Put(new InlineFrame(Consumer.Stop, []), timeout: Patience);
            consumers.ForEach(consumer => consumer.WaitForSuccess(Patience));
            output.WriteLine();
            output.WriteLine("Every frame arrived intact both ways.");
            return 0;
        }
        finally
        {
            consumers.ForEach(consumer => consumer.Dispose());
            FrameQueues.Unlink(runName);
        }
    }

    /// <summary>The throughput, in MB/s, of <paramref name="frames"/> frames of <paramref name="frameBytes"/> random bytes sent both ways.</summary>
    private static (double ViaBlobs, double Inline) Compare(FrameQueues queues, int frameBytes, int frames)
    {
        byte[] pixels = RandomNumberGenerator.GetBytes(frameBytes);
        ulong hash = XxHash3.HashToUInt64(pixels);
        double viaBlobs = MegabytesPerSecond(frames, frameBytes, queues, hash, sequence => queues.Blobs.Put(new BlobFrame(sequence, SharedBlob.Write(pixels)), timeout: Patience));
        double inline = MegabytesPerSecond(frames, frameBytes, queues, hash, sequence => queues.Inline.Put(new InlineFrame(sequence, pixels), timeout: Patience));
        return (viaBlobs, inline);
    }

    /// <summary>Sends <paramref name="frames"/> frames with <paramref name="put"/> and waits for every receipt; the producer and the consumer overlap.</summary>
    private static double MegabytesPerSecond(int frames, int frameBytes, FrameQueues queues, ulong expectedHash, Action<int> put)
    {
        var clock = Stopwatch.StartNew();
        int received = 0;
        for (int sequence = 0; sequence < frames; sequence++)
        {
            put(sequence);
            while (queues.Receipts.TryGet(out Receipt? receipt))
            {
                Check(receipt, expectedHash);
                received++;
            }
        }

        for (; received < frames; received++)
        {
            Check(queues.Receipts.Get(timeout: Patience), expectedHash);
        }

        return (double)frames * frameBytes / 1e6 / clock.Elapsed.TotalSeconds;
    }

    private static void Check(Receipt receipt, ulong expectedHash)
    {
        if (receipt.Hash != expectedHash)
        {
            throw new InvalidOperationException($"frame {receipt.Sequence} arrived damaged: hash 0x{receipt.Hash:X16}, expected 0x{expectedHash:X16}.");
        }
    }
}
