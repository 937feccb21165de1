using TypedIpc.Internal;
using TypedIpc.Tests.Support;

namespace TypedIpc.Tests.Internal;

/// <summary>The temporary files of creators killed before they published their queue, and whose they are.</summary>
public sealed class SharedRegionCreationTests : IDisposable
{
    // Above Linux's PID_MAX_LIMIT (2^22): no process can have this id, so its creator is certainly dead.
    private const int ImpossiblePid = 4_194_305;
    private readonly TestQueueName _name = new("creation");

    public void Dispose() => _name.Dispose();

    [Fact]
    public void Opening_a_queue_removes_the_temporary_file_a_dead_creator_of_it_left_behind() => AssertOpenRemovesAnAbandonedCreation();

    [Fact]
    public void Opening_an_existing_queue_removes_the_temporary_name_a_creator_killed_after_publishing_left()
    {
        // Found by the chaos run: the creator died between link() and unlink(); everyone after it only attaches.
        using var creator = SharedQueue<long>.Open(_name, maxsize: 1);

        AssertOpenRemovesAnAbandonedCreation();
    }

    /// <summary>Leaves the temporary file of a creator that is certainly dead (its lock is free); Open must remove it.</summary>
    private void AssertOpenRemovesAnAbandonedCreation()
    {
        string abandoned = SharedRegion.CreationPath(_name.Value, ImpossiblePid);
        File.WriteAllBytes(abandoned, []);
        try
        {
            using var queue = SharedQueue<long>.Open(_name, maxsize: 1);

            Assert.False(File.Exists(abandoned));
        }
        finally
        {
            File.Delete(abandoned);
        }
    }

    [Fact]
    public void Opening_a_queue_leaves_alone_the_creation_of_a_queue_whose_name_extends_its_own()
    {
        // This process is creating queue "<name>.4194305"; its temporary file also starts with ".typedipc.<name>.",
        // and the "4194305" of its name must not be taken for the pid of a dead creator of "<name>".
        string inProgress = SharedRegion.CreationPath($"{_name.Value}.{ImpossiblePid}", Environment.ProcessId);
        File.WriteAllBytes(inProgress, []);
        try
        {
            using var queue = SharedQueue<long>.Open(_name, maxsize: 1);

            Assert.True(File.Exists(inProgress), "another queue's creation in progress was deleted.");
        }
        finally
        {
            File.Delete(inProgress);
        }
    }
}
