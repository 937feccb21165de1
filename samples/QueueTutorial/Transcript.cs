using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace QueueTutorial;

/// <summary>
/// Prints the tutorial side by side — the Python line, the C# line that runs, and what happened — and checks
/// each outcome, throwing <see cref="TutorialStepFailedException"/> when the queue does not behave as the tutorial
/// says. The C# line is the caller's own lambda (via <see cref="CallerArgumentExpressionAttribute"/>), so what is
/// printed is exactly what runs.
/// </summary>
internal sealed class Transcript(TextWriter output, TutorialMessageQueue queue)
{
    /// <summary>How much sooner than its timeout a timed-out call may seem to end, for clock granularity.</summary>
    private static readonly TimeSpan ClockTolerance = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// The bound for "at once": generous, so that a busy machine does not fail the run, yet below the 3 s a call
    /// that wrongly waited for its timeout would take.
    /// </summary>
    private static readonly TimeSpan AtOnce = TimeSpan.FromSeconds(2);

    private int _sectionNumber;

    public void Section(string title)
    {
        output.WriteLine();
        output.WriteLine($"{++_sectionNumber}. {title}");
    }

    public void Code(string python, string csharp)
    {
        output.WriteLine($"   py  {python}");
        output.WriteLine($"   c#  {WithoutLambdaArrow(csharp)}");
    }

    public void Result(string text) => output.WriteLine($"   ->  {text}");

    /// <summary>Runs a call that must return at once and leave <paramref name="expectedCount"/> items in the queue.</summary>
    public void Run(string python, Action call, int expectedCount, [CallerArgumentExpression(nameof(call))] string csharp = "")
    {
        Code(python, csharp);
        TimeSpan elapsed = Time(call);
        int count = queue.Count;
        Result(queue.IsFull ? $"Count {count}, IsFull" : $"Count {count}");
        Check(count == expectedCount, $"expected {expectedCount} items in the queue but found {count}");
        Check(elapsed < AtOnce, $"the call should have returned at once but took {Seconds(elapsed)}");
    }

    /// <summary>
    /// Runs a call that blocks until <paramref name="arrangeRelease"/>, which runs first, has another process free it;
    /// returns how long it blocked, counted from before the release was arranged.
    /// </summary>
    public TimeSpan Blocks(string python, Action call, string whileBlocked, Action arrangeRelease, [CallerArgumentExpression(nameof(call))] string csharp = "")
    {
        Code(python, csharp);
        Result(whileBlocked);
        return Time(() =>
        {
            arrangeRelease();
            call();
        });
    }

    /// <summary>Runs a get that must return <paramref name="expected"/> (in Python's notation) at once.</summary>
    public void Get(string python, Func<TutorialMessage> get, string expected, [CallerArgumentExpression(nameof(get))] string csharp = "")
    {
        Code(python, csharp);
        var clock = Stopwatch.StartNew();
        string got = get().ToPython();
        TimeSpan elapsed = clock.Elapsed;
        Result(got);
        Check(got == expected, $"expected {expected} (first in, first out) but got {got}");
        Check(elapsed < AtOnce, $"the get should have returned at once but took {Seconds(elapsed)}");
    }

    /// <summary>
    /// Runs a call that must throw <typeparamref name="TException"/> after waiting <paramref name="wait"/>
    /// (<see cref="TimeSpan.Zero"/>: at once).
    /// </summary>
    public void Raises<TException>(string python, Action call, TimeSpan wait, [CallerArgumentExpression(nameof(call))] string csharp = "")
        where TException : Exception
    {
        Code(python, csharp);
        var clock = Stopwatch.StartNew();
        try
        {
            call();
        }
        catch (TException e)
        {
            TimeSpan elapsed = clock.Elapsed;
            Result($"{typeof(TException).Name} after {Seconds(elapsed)}: {e.Message}");
            Check(
                wait == TimeSpan.Zero ? elapsed < AtOnce : elapsed >= wait - ClockTolerance,
                $"expected {typeof(TException).Name} after {Seconds(wait)} but it came after {Seconds(elapsed)}");
            return;
        }

        Result("returned");
        throw new TutorialStepFailedException($"expected {typeof(TException).Name}, but the call returned normally");
    }

    public static void Check(bool condition, string failure)
    {
        if (!condition)
        {
            throw new TutorialStepFailedException(failure);
        }
    }

    public static string Seconds(TimeSpan time) => string.Create(CultureInfo.InvariantCulture, $"{time.TotalSeconds:0.00} s");

    private static TimeSpan Time(Action call)
    {
        var clock = Stopwatch.StartNew();
        call();
        return clock.Elapsed;
    }

    private static string WithoutLambdaArrow(string csharp) => csharp.StartsWith("() => ", StringComparison.Ordinal) ? csharp["() => ".Length..] : csharp;
}

/// <summary>A step of the tutorial did not behave the way the Python tutorial says a queue behaves.</summary>
internal sealed class TutorialStepFailedException(string message) : Exception(message);
