using TypedIpc.Samples;

namespace BigPayloads;

/// <summary>The queues of one run: frames out (as blob references or inline) and receipts back.</summary>
internal sealed class FrameQueues(string runName) : IDisposable
{
    public BlobFrameQueue Blobs { get; } = BlobFrameQueue.Open($"{runName}.blobs");

    public InlineFrameQueue Inline { get; } = InlineFrameQueue.Open($"{runName}.inline");

    public ReceiptQueue Receipts { get; } = ReceiptQueue.Open($"{runName}.receipts");

    public static void Unlink(string runName) => RunQueues.Remove(
        () => BlobFrameQueue.Unlink($"{runName}.blobs"),
        () => InlineFrameQueue.Unlink($"{runName}.inline"),
        () => ReceiptQueue.Unlink($"{runName}.receipts"));

    public void Dispose()
    {
        Blobs.Dispose();
        Inline.Dispose();
        Receipts.Dispose();
    }
}
