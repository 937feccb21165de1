using System.Diagnostics;
using System.Text;
using TypedIpc.Nats.TestPeer;

namespace TypedIpc.Nats.Tests.Support;

/// <summary>A running TypedIpc.Nats.TestPeer child process; disposing it kills the process if it still runs.</summary>
public sealed class NatsPeer : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

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
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited || clock.Elapsed > timeout)
            {
                throw new TimeoutException($"peer {Id} did not print \"{text}\" within {timeout}; it printed:{Environment.NewLine}{Output}");
            }

            Thread.Sleep(10);
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

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
