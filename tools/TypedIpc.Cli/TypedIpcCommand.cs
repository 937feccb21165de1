using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Runtime.InteropServices;
using Spectre.Console;

namespace TypedIpc.Cli;

/// <summary>The command line: its commands, their options, and how outcomes map to exit codes.</summary>
public static class TypedIpcCommand
{
    public const int Success = 0;
    public const int NotFound = 1;
    public const int BadUsage = 2;
    public const int Failed = 3;
    private const int RedirectedWidth = 160;
    private const int InterruptedExitCode = 130;
    private const int TerminatedExitCode = 143;
    private static readonly TimeSpan TerminationTimeout = TimeSpan.FromSeconds(2);

    public static async Task<int> RunAsync(string[] args)
    {
        if (Console.IsOutputRedirected)
        {
            // Spectre.Console assumes 80 columns without a terminal: wide enough that names and paths stay whole in files and pipes.
            AnsiConsole.Profile.Width = RedirectedWidth;
        }

        RootCommand root = Build();
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                Console.Error.WriteLine($"typedipc: {error.Message}");
            }

            Console.Error.WriteLine("Run 'typedipc --help' for the commands and their options.");
            return BadUsage;
        }

        // Ctrl+C (and SIGTERM) are taken over before any command runs: System.CommandLine would register its handler
        // only once the command's first await returns, and a signal before that (watch prints its first view at once)
        // would kill the process with 130 instead of ending the command with its own exit code.
        using var termination = new CancellationTokenSource();
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => EndOn(context, termination));
        using PosixSignalRegistration terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => EndOn(context, termination));
        return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, termination.Token);
    }

    /// <summary>Asks the running command to end; one that has not ended <see cref="TerminationTimeout"/> later is ended with 128 + the signal.</summary>
    private static void EndOn(PosixSignalContext signal, CancellationTokenSource termination)
    {
        signal.Cancel = true;
        termination.Cancel();
        int forcedExitCode = signal.Signal == PosixSignal.SIGINT ? InterruptedExitCode : TerminatedExitCode;
        _ = Task.Delay(TerminationTimeout).ContinueWith(_ => Environment.Exit(forcedExitCode), TaskScheduler.Default);
    }

    private static RootCommand Build()
    {
        var json = new Option<bool>("--json") { Description = "Write JSON (camelCase fields) instead of a table, for scripts." };
        var blobs = new Option<bool>("--blobs") { Description = "Also list shared blobs, with whether their owner lives." };
        var list = new Command("list", "A table of every queue in /dev/shm: contents, attached processes, blocked callers.") { json, blobs };
        list.SetAction(result => Guard(() => Commands.List(result.GetValue(json), result.GetValue(blobs))));

        var name = new Argument<string>("NAME") { Description = "The queue's name, as passed to Open (the file is /dev/shm/typedipc.NAME)." };
        var inspectJson = new Option<bool>("--json") { Description = json.Description };
        var inspect = new Command("inspect", "One queue in full: settings, contents, attached processes, claims of dead processes.") { name, inspectJson };
        inspect.SetAction(result => Guard(() => Commands.Inspect(result.GetValue(name)!, result.GetValue(inspectJson))));

        var watchName = new Argument<string>("NAME") { Description = name.Description };
        var interval = new Option<double>("--interval")
        {
            Description = "Seconds between refreshes (0.05 to 3600).",
            DefaultValueFactory = _ => 1.0,
            CustomParser = result => ParseSeconds(result, "--interval", 0.05, 3600),
        };
        var iterations = new Option<int?>("--iterations", "-n")
        {
            Description = "Stop after this many refreshes (default: until Ctrl+C).",
            CustomParser = result => ParseCount(result, "--iterations"),
        };
        var once = new Option<bool>("--once") { Description = "Show one view and stop (the same as --iterations 1)." };
        var watch = new Command("watch", "A live view of one queue, refreshed every second: depth, put/get rates, blocked callers, attached processes; Ctrl+C ends it.")
        {
            watchName, interval, iterations, once,
        };
        watch.SetAction((result, cancellation) => GuardAsync(() => Watch.RunAsync(
            result.GetValue(watchName)!,
            TimeSpan.FromSeconds(result.GetValue(interval)),
            result.GetValue(once) ? 1 : result.GetValue(iterations),
            cancellation)));

        var dryRun = new Option<bool>("--dry-run") { Description = "Remove nothing: say what would be removed." };
        var includeNonEmpty = new Option<bool>("--include-nonempty") { Description = "Also remove abandoned queues that still hold items (the items are lost)." };
        var prefix = new Option<string?>("--prefix") { Description = "Only queues whose names start with this; blobs are then left alone." };
        var purge = new Command("purge", "Removes queues none of whose attached processes is alive, and blobs whose owner exited.")
        {
            dryRun, includeNonEmpty, prefix,
        };
        purge.SetAction(result => Guard(() => Commands.Purge(result.GetValue(dryRun), result.GetValue(includeNonEmpty), result.GetValue(prefix))));

        var unlinkName = new Argument<string>("NAME") { Description = name.Description };
        var unlink = new Command("unlink", "Removes a queue's name; processes that have it open keep working on it.") { unlinkName };
        unlink.SetAction(result => Guard(() => Commands.Unlink(result.GetValue(unlinkName)!)));

        return new RootCommand("Look at and clean up TypedIpc shared-memory queues and blobs in /dev/shm.")
        {
            list, inspect, watch, purge, unlink,
        };
    }

    /// <summary>The option's number of seconds; a parse error (exit code 2) when it is not one or is out of range.</summary>
    private static double ParseSeconds(ArgumentResult result, string option, double min, double max)
    {
        string text = result.Tokens[0].Value;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds >= min && seconds <= max)
        {
            return seconds;
        }

        result.AddError($"{option} takes seconds from {min} to {max}, not '{text}'.");
        return min;
    }

    /// <summary>The option's count; a parse error (exit code 2) when it is not a whole number of at least 1.</summary>
    private static int ParseCount(ArgumentResult result, string option)
    {
        string text = result.Tokens[0].Value;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int count) && count >= 1)
        {
            return count;
        }

        result.AddError($"{option} takes a whole number of at least 1, not '{text}'.");
        return 1;
    }

    private static int Guard(Func<int> command)
    {
        try
        {
            return command();
        }
        catch (Exception e) when (ExitCodeFor(e) is { } exitCode)
        {
            return Report(exitCode, e);
        }
    }

    private static async Task<int> GuardAsync(Func<Task<int>> command)
    {
        try
        {
            return await command();
        }
        catch (Exception e) when (ExitCodeFor(e) is { } exitCode)
        {
            return Report(exitCode, e);
        }
    }

    /// <summary>The exit code of an expected failure; null for a bug, which should crash with its stack trace.</summary>
    private static int? ExitCodeFor(Exception failure) => failure switch
    {
        QueueNotFoundException => NotFound,
        ArgumentException => BadUsage,
        TypedIpcException => Failed,
        _ => null,
    };

    /// <summary>Prints the library's message, which says what to do, on standard error.</summary>
    private static int Report(int exitCode, Exception failure)
    {
        string message = failure is ArgumentException { ParamName: { } parameter }
            ? failure.Message.Replace($" (Parameter '{parameter}')", "", StringComparison.Ordinal)
            : failure.Message;
        Console.Error.WriteLine($"typedipc: {message}");
        return exitCode;
    }
}
