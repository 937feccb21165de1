using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace TypedIpc.Diagnostics;

/// <summary>A queue instance whose depth the <c>typedipc.queue.depth</c> gauge reports while it is open.</summary>
internal interface IObservedQueue
{
    string Name { get; }

    int Count { get; }
}

/// <summary>
/// The <c>TypedIpc</c> meter and its instruments, shared by every backend. Each recording method checks its
/// instrument's <see cref="Instrument.Enabled"/> first, so that with no listener attached a call costs one field
/// read per instrument it would touch: no tag list, no clock, no interlocked operation.
/// </summary>
internal static class QueueMetrics
{
    public const string MeterName = "TypedIpc";

    /// <summary>The tag every instrument carries: the queue's name.</summary>
    public const string QueueNameTag = "typedipc.queue.name";

    /// <summary>The tag of the wait and timeout instruments: "put" or "get".</summary>
    public const string OperationTag = "typedipc.queue.operation";

    private static readonly KeyValuePair<string, object?> s_put = new(OperationTag, "put");
    private static readonly KeyValuePair<string, object?> s_get = new(OperationTag, "get");

    // Weak, so that an instance nobody disposed can still be collected; enumerable without a lock.
    private static readonly ConditionalWeakTable<IObservedQueue, object?> s_open = [];

    private static readonly Meter s_meter = new(MeterName, typeof(QueueMetrics).Assembly.GetName().Version?.ToString(3));

    public static readonly Counter<long> Puts = s_meter.CreateCounter<long>(
        "typedipc.queue.puts", "{message}", "Messages put into the queue by this process.");

    public static readonly Counter<long> Gets = s_meter.CreateCounter<long>(
        "typedipc.queue.gets", "{message}", "Messages taken from the queue by this process.");

    public static readonly Histogram<double> WaitDuration = s_meter.CreateHistogram(
        "typedipc.queue.wait.duration", "s",
        "How long puts waited for room and gets for a message, counting only calls that could not complete at once.",
        advice: new InstrumentAdvice<double>
        {
            HistogramBucketBoundaries = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60],
        });

    public static readonly Counter<long> Timeouts = s_meter.CreateCounter<long>(
        "typedipc.queue.timeouts", "{call}", "Blocking puts and gets that ended because their timeout passed.");

    public static readonly Counter<long> Recoveries = s_meter.CreateCounter<long>(
        "typedipc.queue.recoveries", "{claim}", "Claims of dead processes (a locked tail, a taken message) that this process recovered.");

    public static readonly Counter<long> Rejected = s_meter.CreateCounter<long>(
        "typedipc.queue.rejected", "{message}", "Puts refused because the message was larger than the queue's per-message limit.");

    public static readonly ObservableGauge<int> Depth = s_meter.CreateObservableGauge(
        "typedipc.queue.depth", ObserveDepths, "{message}", "Messages in each queue this process has open.");

    public static KeyValuePair<string, object?> NameTag(string queueName) => new(QueueNameTag, queueName);

    /// <summary>Reports the depth of <paramref name="queue"/> until <see cref="Closed"/> (or until it is collected).</summary>
    public static void Opened(IObservedQueue queue) => s_open.AddOrUpdate(queue, null);

    public static void Closed(IObservedQueue queue) => s_open.Remove(queue);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CountPuts(int items, KeyValuePair<string, object?> queue)
    {
        if (Puts.Enabled && items > 0)
        {
            Puts.Add(items, queue);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CountGets(int items, KeyValuePair<string, object?> queue)
    {
        if (Gets.Enabled && items > 0)
        {
            Gets.Add(items, queue);
        }
    }

    /// <summary>Records the wait of a call that could not complete at once and began waiting at Stopwatch timestamp <paramref name="since"/>.</summary>
    public static void Waited(long since, bool get, KeyValuePair<string, object?> queue)
    {
        if (WaitDuration.Enabled)
        {
            WaitDuration.Record(Stopwatch.GetElapsedTime(since).TotalSeconds, queue, get ? s_get : s_put);
        }
    }

    public static void TimedOut(bool get, KeyValuePair<string, object?> queue)
    {
        if (Timeouts.Enabled)
        {
            Timeouts.Add(1, queue, get ? s_get : s_put);
        }
    }

    public static void Recovered(string queueName)
    {
        if (Recoveries.Enabled)
        {
            Recoveries.Add(1, NameTag(queueName));
        }
    }

    public static void Reject(KeyValuePair<string, object?> queue)
    {
        if (Rejected.Enabled)
        {
            Rejected.Add(1, queue);
        }
    }

    private static IEnumerable<Measurement<int>> ObserveDepths()
    {
        var measurements = new List<Measurement<int>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach ((IObservedQueue queue, _) in s_open)
        {
            int count;
            try
            {
                count = queue.Count;
            }
            catch (Exception e) when (e is ObjectDisposedException or QueueUnavailableException)
            {
                continue; // disposed since the snapshot, or a remote backend's server did not answer: no depth to report
            }

            // Several instances of one queue in this process report the same shared count: once is enough.
            if (seen.Add(queue.Name))
            {
                measurements.Add(new Measurement<int>(count, NameTag(queue.Name)));
            }
        }

        return measurements;
    }
}
