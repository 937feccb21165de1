namespace TypedIpc.Tests.Support;

/// <summary>
/// Three queues for purge tests, under a prefix of their own that no other test's purge reaches: one whose only
/// process was killed, one that a process filled with items and left normally, and one that a running process holds.
/// Disposing ends the running process and removes all three.
/// </summary>
public sealed class PurgeCandidates : IDisposable
{
    private readonly PeerProcess? _holder;

    public PurgeCandidates(string purpose, int items)
    {
        string group = $"{purpose}-{Guid.NewGuid():N}";
        Prefix = $"typedipc-tests.{group}.";
        Dead = new TestQueueName(group);
        HoldingItems = new TestQueueName(group);
        Live = new TestQueueName(group);
        Items = items;
        try
        {
            using (var killed = PeerProcess.Start("hold", Dead, "4"))
            {
                Assert.Equal("ready", killed.WaitForFirstLine());
                killed.Kill();
            }

            using (var producer = PeerProcess.Start("produce", HoldingItems, "4", "1", $"{items}"))
            {
                producer.WaitForSuccess();
            }

            _holder = PeerProcess.Start("hold", Live, "4");
            Assert.Equal("ready", _holder.WaitForFirstLine());
        }
        catch
        {
            // A constructor that throws is never disposed: end the holder and remove the queues here.
            Dispose();
            throw;
        }
    }

    public string Prefix { get; }

    public TestQueueName Dead { get; }

    public TestQueueName HoldingItems { get; }

    public TestQueueName Live { get; }

    public int Items { get; }

    public void Dispose()
    {
        _holder?.Dispose();
        Dead.Dispose();
        HoldingItems.Dispose();
        Live.Dispose();
    }
}
