using System.Diagnostics;
using System.Text;
using System.Text.Json;
using TypedIpc.Cli;
using Xunit.Abstractions;

namespace TypedIpc.Cli.Tests.Support;

/// <summary>What one run of the typedipc command printed, and how it exited.</summary>
public sealed record CliRun(string CommandLine, int ExitCode, string Output, string Errors)
{
    public JsonElement Json => JsonDocument.Parse(Output).RootElement;

    public override string ToString() => $"$ {CommandLine}   (exit {ExitCode}){Environment.NewLine}{Output}{Errors}";
}

/// <summary>Runs the built typedipc command (tools/TypedIpc.Cli) in a child process, as a user's shell would.</summary>
public static class Typedipc
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Runs <c>typedipc <paramref name="arguments"/></c>; logs the command line and its output to <paramref name="log"/>.</summary>
    public static CliRun Run(ITestOutputHelper log, params string[] arguments)
    {
        var start = new ProcessStartInfo(Samples.Tests.Support.CommandLine.Dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(TypedIpcCommand).Assembly.Location);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        CliRun run = RunToEnd(start, $"typedipc {string.Join(' ', arguments)}");
        log.WriteLine(run.ToString());
        return run;
    }

    /// <summary>Runs a started process to its end (at most a minute), collecting its standard output and error apart.</summary>
    public static CliRun RunToEnd(ProcessStartInfo start, string commandLine)
    {
        var output = new StringBuilder();
        var errors = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(errors, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"`{commandLine}` did not finish within {Timeout}; it printed:{Environment.NewLine}{Read(output)}{Read(errors)}");
        }

        process.WaitForExit(); // drains the asynchronous output readers
        return new CliRun(commandLine, process.ExitCode, Read(output), Read(errors));
    }

    private static void Append(StringBuilder text, string? line)
    {
        if (line is not null)
        {
            lock (text)
            {
                text.AppendLine(line);
            }
        }
    }

    private static string Read(StringBuilder text)
    {
        lock (text)
        {
            return text.ToString();
        }
    }
}
