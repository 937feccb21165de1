using System.Diagnostics;
using System.Text;
using System.Text.Json;
using TypedIpc.Cli;
using TypedIpc.Samples.Tests.Support;
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
        var start = new ProcessStartInfo(CommandLine.Dotnet)
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
        int exitCode = CommandLine.RunToEnd(start, commandLine, Timeout, output, errors);
        return new CliRun(commandLine, exitCode, CommandLine.Read(output), CommandLine.Read(errors));
    }
}
