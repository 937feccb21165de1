using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using TypedIpc.TestPeer;

namespace TypedIpc.Tests.Support;

/// <summary>A running TypedIpc.TestPeer child process; disposing it kills the process if it still runs.</summary>
public sealed class PeerProcess : IDisposable
{
    private static readonly TimeSpan DefaultExitTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _errors = new();
    private readonly BlockingCollection<string> _unreadLines = new();

    private PeerProcess(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    public static PeerProcess Start(params string[] arguments)
    {
        var start = new ProcessStartInfo(DotnetHost)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(Numbered).Assembly.Location);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var peer = new PeerProcess(new Process { StartInfo = start });
        peer._process.OutputDataReceived += (_, e) => peer.OnOutput(e.Data);
        peer._process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (peer._errors)
                {
                    peer._errors.AppendLine(e.Data);
                }
            }
        };
        peer._process.Start();
        peer._process.BeginOutputReadLine();
        peer._process.BeginErrorReadLine();
        return peer;
    }

    /// <summary>Waits for the peer's first line of output (its "I am ready" signal).</summary>
    public string WaitForFirstLine() => NextLine();

    /// <summary>Waits for the peer's next line of output that no earlier call returned.</summary>
    public string NextLine()
    {
        if (_unreadLines.TryTake(out string? line, DefaultExitTimeout))
        {
            return line;
        }

        if (_unreadLines.IsAddingCompleted)
        {
            _process.WaitForExit();
            throw new InvalidOperationException($"peer {Id} exited with {_process.ExitCode} before printing another line. stderr: {Errors}");
        }

        throw new TimeoutException($"peer {Id} printed no further line within {DefaultExitTimeout}. stderr: {Errors}");
    }

    /// <summary>Writes a line to the peer's standard input.</summary>
    public void Send(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>Closes the peer's standard input: it reads end-of-file.</summary>
    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>Waits for the peer to exit, asserts exit code 0 and returns its standard output.</summary>
    public string WaitForSuccess(TimeSpan? timeout = null)
    {
        TimeSpan limit = timeout ?? DefaultExitTimeout;
        if (!_process.WaitForExit(limit))
        {
            throw new TimeoutException($"peer {Id} did not exit within {limit}. stderr: {Errors}");
        }

        _process.WaitForExit(); // drains the asynchronous output readers
        Assert.True(_process.ExitCode == 0, $"peer {Id} exited with {_process.ExitCode}. stderr: {Errors}");
        lock (_output)
        {
            return _output.ToString();
        }
    }

    /// <summary>Waits until the peer's main thread (where its queue calls run) sleeps on a futex in <paramref name="queuePath"/>.</summary>
    public void WaitUntilAsleepIn(string queuePath) =>
        KernelWait.WaitUntilAsleepOnFutexIn(
            Id, threadId: Id, queuePath,
            endedInstead: () => _process.HasExited ? $"peer {Id} exited with {_process.ExitCode} instead of blocking. stderr: {Errors}" : null);

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
        _unreadLines.Dispose();
    }

    private string Errors
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToString();
            }
        }
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            _unreadLines.CompleteAdding();
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        _unreadLines.Add(line);
    }

    private static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
}
