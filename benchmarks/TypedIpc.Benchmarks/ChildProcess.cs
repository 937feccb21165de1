using System.Diagnostics;
using System.Globalization;

namespace TypedIpc.Benchmarks;

/// <summary>
/// This program started again in a child role. It talks to the parent through lines on its standard input and
/// output: "ready" once its end of the channel is open, "go TIMESTAMP" to start (the Stopwatch timestamp, shared by
/// all processes of the machine, from which on the measurement counts), and its result line at the end.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    public const string ReadyLine = "ready";
    private const string GoPrefix = "go ";

    private readonly Process _process;

    private ChildProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public static ChildProcess Start(string role, BenchOptions options)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        }

        foreach (string argument in options.ToChildArguments(role))
        {
            start.ArgumentList.Add(argument);
        }

        return new ChildProcess(Process.Start(start)!);
    }

    public string ReadLine() =>
        _process.StandardOutput.ReadLine() ?? throw new InvalidOperationException(
            $"child process {_process.Id} ended without reporting (exit code {ExitCodeOrRunning()}); its error output is above.");

    public void WaitUntilReady()
    {
        string line = ReadLine();
        if (line != ReadyLine)
        {
            throw new InvalidOperationException($"child process {_process.Id} said '{line}' instead of '{ReadyLine}'.");
        }
    }

    public void SendGo(long measureFrom)
    {
        _process.StandardInput.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{GoPrefix}{measureFrom}"));
        _process.StandardInput.Flush();
    }

    /// <summary>In a child: waits for the parent's go and returns the timestamp from which on the measurement counts.</summary>
    public static long ReadGo()
    {
        string? line = Console.ReadLine();
        return line is not null && line.StartsWith(GoPrefix, StringComparison.Ordinal)
            ? long.Parse(line.AsSpan(GoPrefix.Length), CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"the parent said '{line}' instead of '{GoPrefix}TIMESTAMP'.");
    }

    public void WaitForSuccess()
    {
        _process.WaitForExit();
        if (_process.ExitCode != 0)
        {
            throw new InvalidOperationException($"child process {_process.Id} exited with code {_process.ExitCode}; its error output is above.");
        }
    }

    /// <summary>Ends a child left running by a failed measurement.</summary>
    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private string ExitCodeOrRunning() => _process.HasExited ? _process.ExitCode.ToString() : "still running";
}
