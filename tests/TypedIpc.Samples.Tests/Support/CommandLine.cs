using System.Diagnostics;
using System.Text;

namespace TypedIpc.Samples.Tests.Support;

/// <summary>What a finished command printed (standard output and error, interleaved) and how it exited.</summary>
public sealed record CommandResult(string CommandLine, int ExitCode, string Output)
{
    public override string ToString() => $"`{CommandLine}` exited with {ExitCode}:{Environment.NewLine}{Output}";
}

/// <summary>Runs the dotnet CLI of the SDK under test as a child process.</summary>
public static class CommandLine
{
    /// <summary>The repository the tests run from: the folder above them that holds TypedIpc.sln.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The dotnet host that runs the tests (set by the CLI), else the one on PATH.</summary>
    public static string Dotnet =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    /// <summary>Runs <c>dotnet <paramref name="arguments"/></c>; <paramref name="environment"/> adds to (or overrides) the test's variables.</summary>
    public static CommandResult RunDotnet(
        IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(Dotnet)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // `dotnet test` leaves MSBuild's own variables in the test's environment; a nested build must find its SDK afresh.
        foreach (string msbuildVariable in start.Environment.Keys.Where(key => key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(msbuildVariable);
        }

        foreach ((string variable, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[variable] = value;
        }

        string commandLine = $"dotnet {string.Join(' ', start.ArgumentList)}";
        var output = new StringBuilder();
        int exitCode = RunToEnd(start, commandLine, timeout, output, errors: output);
        return new CommandResult(commandLine, exitCode, Read(output));
    }

    /// <summary>
    /// Runs <paramref name="start"/> to its end, collecting what it prints into <paramref name="output"/> and
    /// <paramref name="errors"/> (the same builder interleaves them); returns its exit code. A process still running
    /// after <paramref name="timeout"/> is killed, and the run fails naming <paramref name="commandLine"/>.
    /// </summary>
    public static int RunToEnd(ProcessStartInfo start, string commandLine, TimeSpan timeout, StringBuilder output, StringBuilder errors)
    {
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(errors, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            string printed = ReferenceEquals(output, errors) ? Read(output) : Read(output) + Read(errors);
            throw new TimeoutException($"`{commandLine}` did not finish within {timeout}; it printed:{Environment.NewLine}{printed}");
        }

        process.WaitForExit(); // drains the asynchronous output readers
        return process.ExitCode;
    }

    /// <summary>What a builder <see cref="RunToEnd"/> fills holds so far.</summary>
    public static string Read(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string FindRepositoryRoot()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "TypedIpc.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no TypedIpc.sln above {AppContext.BaseDirectory}; run the tests from the repository.");
    }
}
