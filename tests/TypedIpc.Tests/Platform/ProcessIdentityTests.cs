using TypedIpc.Platform;
using TypedIpc.Tests.Support;

namespace TypedIpc.Tests.Platform;

public sealed class ProcessIdentityTests
{
    [Fact]
    public void The_current_process_is_alive_and_a_reused_pid_with_another_start_time_is_not()
    {
        ulong current = ProcessIdentity.Current;

        Assert.True(ProcessIdentity.IsAlive(current));
        Assert.Equal(Environment.ProcessId, ProcessIdentity.PidOf(current));
        Assert.False(ProcessIdentity.IsAlive(ProcessIdentity.Pack(Environment.ProcessId, 1)));
    }

    [Fact]
    public void A_killed_child_is_dead_even_before_it_is_reaped()
    {
        using var name = new TestQueueName("identity");
        using var child = PeerProcess.Start("hold", name, "1");
        Assert.Equal("ready", child.WaitForFirstLine());
        using var region = new RegionView(name);
        ulong identity;
        unsafe
        {
            identity = region.Entry(region.EntryIndexOf(child.Id))->Identity;
        }

        Assert.True(ProcessIdentity.IsAlive(identity));
        child.Kill();
        Assert.False(ProcessIdentity.IsAlive(identity));
    }
}
