using System.Diagnostics;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace TypedIpc.Cli;

/// <summary>
/// <c>typedipc watch</c>: reads the queue at every refresh and shows it, with put and get rates from the item
/// counters of two readings. On a terminal the view redraws in place; with output redirected each refresh is printed
/// after the last.
/// </summary>
public static class Watch
{
    public static async Task<int> RunAsync(string name, TimeSpan interval, int? iterations, CancellationToken cancellation)
    {
        QueueInfo first = SharedQueues.Inspect(name);
        var views = Views(name, first, interval, iterations, cancellation);
        if (AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected)
        {
            await AnsiConsole.Live(new Text("")).AutoClear(false).StartAsync(async live =>
            {
                await foreach (IRenderable view in views)
                {
                    live.UpdateTarget(view);
                }
            });
        }
        else
        {
            await foreach (IRenderable view in views)
            {
                AnsiConsole.Write(view);
                AnsiConsole.WriteLine();
            }
        }

        return TypedIpcCommand.Success;
    }

    private static async IAsyncEnumerable<IRenderable> Views(
        string name, QueueInfo first, TimeSpan interval, int? iterations, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellation)
    {
        QueueInfo previous = first;
        long previousAt = Stopwatch.GetTimestamp();
        yield return Frame(first, rates: null);
        for (int shown = 1; iterations is null || shown < iterations; shown++)
        {
            try
            {
                await Task.Delay(interval, cancellation);
            }
            catch (OperationCanceledException)
            {
                yield break; // Ctrl+C
            }

            if (ReadAgain(name) is not { } current)
            {
                yield return new Markup($"[red]Queue {Markup.Escape(name)} was unlinked.[/]");
                yield break;
            }

            long now = Stopwatch.GetTimestamp();
            double seconds = Stopwatch.GetElapsedTime(previousAt, now).TotalSeconds;
            yield return Frame(current, (unchecked(current.ItemsPut - previous.ItemsPut) / seconds, unchecked(current.ItemsTaken - previous.ItemsTaken) / seconds));
            previous = current;
            previousAt = now;
        }
    }

    private static QueueInfo? ReadAgain(string name)
    {
        try
        {
            return SharedQueues.Inspect(name);
        }
        catch (QueueNotFoundException)
        {
            return null;
        }
    }

    private static IRenderable Frame(QueueInfo queue, (double Puts, double Gets)? rates) =>
        new Panel(QueueView.Details(queue, rates))
            .Header($" typedipc watch {Markup.Escape(queue.Name)} — {DateTime.Now:HH:mm:ss} ")
            .Border(BoxBorder.Rounded);
}
