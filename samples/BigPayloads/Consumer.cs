using System.IO.Hashing;
using TypedIpc;

namespace BigPayloads;

/// <summary>The consumer process: takes frames off one queue until a frame with a negative sequence, and answers each with the hash of its pixels.</summary>
internal static class Consumer
{
    public const string Role = "consumer";
    public const int Stop = -1;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static int Run(Transport transport, string runName)
    {
        using var queues = new FrameQueues(runName);
        return transport == Transport.BlobRef ? ConsumeBlobs(queues) : ConsumeInline(queues);
    }

    private static int ConsumeBlobs(FrameQueues queues)
    {
        while (true)
        {
            BlobFrame frame = queues.Blobs.Get(timeout: Patience);
            // Open checks the pixels against the checksum in the reference: that is the consumer's pass over the data.
            // The stop frame's empty blob is opened too, so that it is consumed rather than left for a sweep.
            using SharedBlob pixels = frame.Pixels.Open();
            if (frame.Sequence == Stop)
            {
                return 0;
            }

            queues.Receipts.Put(new Receipt(frame.Sequence, pixels.Reference.Checksum), timeout: Patience);
        }
    }

    private static int ConsumeInline(FrameQueues queues)
    {
        for (InlineFrame frame = queues.Inline.Get(timeout: Patience); frame.Sequence != Stop; frame = queues.Inline.Get(timeout: Patience))
        {
            queues.Receipts.Put(new Receipt(frame.Sequence, XxHash3.HashToUInt64(frame.Pixels)), timeout: Patience);
        }

        return 0;
    }
}

/// <summary>How a frame's pixels travel.</summary>
internal enum Transport
{
    BlobRef,
    Inline,
}
