using System.Diagnostics;
using System.Text;
using TypedIpc.Nats.TestPeer;

namespace TypedIpc.Nats.Tests.Support;

/// <summary>A running TypedIpc.Nats.TestPeer child process; disposing it kills the process if it still runs.</summary>
public sealed class NatsPeer : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    /// <summary>How many of stdout and stderr have ended: at 2 the peer can print nothing more.</summary>
    private int _closedStreams;

    private NatsPeer(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    public static NatsPeer Start(IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(Numbered).Assembly.Location);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach ((string key, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var peer = new NatsPeer(new Process { StartInfo = start });
        peer._process.OutputDataReceived += (_, e) => peer.Append(e.Data);
        peer._process.ErrorDataReceived += (_, e) => peer.Append(e.Data);
        peer._process.Start();
        peer._process.BeginOutputReadLine();
        peer._process.BeginErrorReadLine();
        return peer;
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Waits (at most <paramref name="timeout"/>) until the peer has printed <paramref name="text"/>.</summary>
    public void WaitForOutput(string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        lock (_output)
        {
            // Woken by every line and by the end of the peer's output.
            while (!_output.ToString().Contains(text, StringComparison.Ordinal))
            {
                TimeSpan left = timeout - clock.Elapsed;
                if (_closedStreams == 2 || left <= TimeSpan.Zero)
                {
                    throw new TimeoutException($"peer {Id} did not print \"{text}\" within {timeout}; it printed:{Environment.NewLine}{_output}");
                }

                Monitor.Wait(_output, left);
            }
        }
    }

    /// <summary>Waits for the peer to exit and asserts exit code 0.</summary>
    public void WaitForSuccess(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            throw new TimeoutException($"peer {Id} did not exit within {timeout}; it printed:{Environment.NewLine}{Output}");
        }

        _process.WaitForExit(); // drains the asynchronous output readers
        Assert.True(_process.ExitCode == 0, $"peer {Id} exited with {_process.ExitCode}:{Environment.NewLine}{Output}");
    }

    /// <summary>SIGKILL, as a crash would end it.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill();
        }

        _process.Dispose();
    }

    /// <summary>One line of stdout or stderr; null when that stream ended.</summary>
    private void Append(string? line)
    {
        lock (_output)
        {
            if (line is null)
            {
                _closedStreams++;
            }
            else
            {
                _output.AppendLine(line);
            }

            Monitor.PulseAll(_output);
        }
    }
}
