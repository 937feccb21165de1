using System.Text;
using TypedIpc.Platform.Linux;

namespace TypedIpc.Tests.Platform.Linux;

public sealed class ProcFsTests
{
    [Fact]
    public void Start_time_is_field_22_counted_after_the_command_name()
    {
        string stat = "4242 (odd) name (x)) S 1 4242 4242 0 -1 4194560 100 0 0 0 5 6 0 0 20 0 1 0 987654 1000 100";

        Assert.Equal(987654UL, ProcFs.ParseStartTimeIfRunning(Encoding.ASCII.GetBytes(stat)));
    }

    [Theory]
    [InlineData('Z')]
    [InlineData('X')]
    public void A_zombie_or_dead_process_has_no_start_time(char state)
    {
        string stat = $"4242 (peer) {state} 1 4242 4242 0 -1 4194560 100 0 0 0 5 6 0 0 20 0 1 0 987654 1000 100";

        Assert.Null(ProcFs.ParseStartTimeIfRunning(Encoding.ASCII.GetBytes(stat)));
    }

    [Fact]
    public void A_truncated_line_has_no_start_time()
    {
        Assert.Null(ProcFs.ParseStartTimeIfRunning(Encoding.ASCII.GetBytes("4242 (peer) S 1 2 3")));
        Assert.Null(ProcFs.ParseStartTimeIfRunning(Encoding.ASCII.GetBytes("no parenthesis")));
    }

    [Fact]
    public void This_process_is_running_and_a_pid_beyond_pid_max_is_not()
    {
        Assert.NotNull(ProcFs.StartTimeIfRunning(Environment.ProcessId));
        Assert.Null(ProcFs.StartTimeIfRunning(int.MaxValue));
    }
}
