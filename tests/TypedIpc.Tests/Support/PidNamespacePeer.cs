using System.Diagnostics;
using TypedIpc.TestPeer;

namespace TypedIpc.Tests.Support;

/// <summary>
/// A TypedIpc.TestPeer started with <c>unshare --pid --fork --mount-proc</c>: in its own PID namespace and /proc, as
/// in a container that shares /dev/shm with the test but not its pids. unshare needs root (CI runs as root); when it
/// is refused the test fails and says so. Disposing the peer kills it.
/// </summary>
public sealed class PidNamespacePeer : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _unshare;
    private readonly Task<string> _errors;

    private PidNamespacePeer(Process unshare)
    {
        _unshare = unshare;
        _errors = unshare.StandardError.ReadToEndAsync();
    }

    public static PidNamespacePeer Start(params string[] peerArguments)
    {
        string host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
        var start = new ProcessStartInfo("unshare")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // --kill-child: the peer dies with unshare, so killing unshare never leaves it running.
        foreach (string argument in (string[])["--pid", "--fork", "--mount-proc", "--kill-child=SIGKILL", host, typeof(Numbered).Assembly.Location, .. peerArguments])
        {
            start.ArgumentList.Add(argument);
        }

        return new PidNamespacePeer(Process.Start(start)!);
    }

    /// <summary>Waits for the peer's first line of output (its "I am ready" signal); fails the test if unshare was refused.</summary>
    public string WaitForFirstLine()
    {
        Task<string?> line = _unshare.StandardOutput.ReadLineAsync();
        if (!line.Wait(StartTimeout))
        {
            throw new TimeoutException($"the peer in its own PID namespace printed nothing within {StartTimeout}.");
        }

        if (line.Result is { } text)
        {
            return text;
        }

        _unshare.WaitForExit();
        throw Refused();
    }

    /// <summary>For a test that waits for the peer by other means than its output: fails at once, saying why, when unshare has exited.</summary>
    public void ThrowIfExited()
    {
        if (_unshare.HasExited)
        {
            throw Refused();
        }
    }

    private InvalidOperationException Refused()
    {
        _errors.Wait(StartTimeout);
        return new InvalidOperationException(
            $"unshare --pid --fork --mount-proc exited with {_unshare.ExitCode} before the peer printed anything; stderr: " +
            $"{(_errors.IsCompleted ? _errors.Result : "")}. This test needs to start a process in its own PID namespace, " +
            "which needs root (CI runs as root); if unshare was refused, run it as root. It does not skip.");
    }

    public void Kill()
    {
        _unshare.Kill(entireProcessTree: true);
        _unshare.WaitForExit();
    }

    public void Dispose()
    {
        if (!_unshare.HasExited)
        {
            Kill();
        }

        _unshare.Dispose();
    }
}
