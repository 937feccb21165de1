using System.Diagnostics;

namespace TypedIpc.Chaos;

/// <summary>The figures of a chaos run and the invariants it broke (none, when it passed).</summary>
public sealed record ChaosVerdict(
    long Put,
    long Delivered,
    long InFlightDelivered,
    long Lost,
    long LossAllowance,
    long Duplicated,
    long Corrupted,
    long NeverPut,
    long OutOfOrder,
    TimeSpan WorstStall,
    long WorstStallStart,
    IReadOnlyList<string> Failures);

/// <summary>
/// Checks a chaos run from its logs alone. A producer logs the sequences of a Put or PutMany after it returned; a
/// consumer logs each message before its next Get. So every logged put must be delivered exactly once, except that
/// each killed consumer may take one message with it (got, not yet logged); a killed producer's unlogged puts (its
/// last call, one message or a batch of up to <see cref="ChildRoles.MaxBatch"/>, returned or not) may or may not
/// arrive. Anything else delivered was never put.
/// </summary>
public static class ChaosLedger
{
    public static readonly TimeSpan StallLimit = TimeSpan.FromSeconds(1);

    public static ChaosVerdict Check(RunDirectory run, IReadOnlyList<Child> producers, IReadOnlyList<Child> consumers, IReadOnlyList<FlowInterval> flowing)
    {
        var failures = new List<string>();
        // Per producer: how often each sequence arrived; the last MaxBatch counters are its unlogged puts.
        var deliveries = producers.ToDictionary(p => p.Incarnation, p => new int[ReadPutCount(run, p, failures) + ChildRoles.MaxBatch]);
        long corrupted = 0, neverPut = 0, outOfOrder = 0, delivered = 0;
        var timestamps = new List<long>();
        foreach (Child consumer in consumers)
        {
            var lastSequenceOf = new Dictionary<int, long>();
            foreach (ConsumerRecord record in ConsumerRecord.ReadAll(run.ConsumerLog(consumer.Incarnation)))
            {
                delivered++;
                timestamps.Add(record.Timestamp);
                if (!record.Intact)
                {
                    corrupted++;
                    continue;
                }

                // Only a killed producer may have unlogged puts delivered.
                if (!deliveries.TryGetValue(record.Producer, out int[]? counts) || record.Sequence >= counts.Length
                    || (record.Sequence >= Logged(counts).Length && !producers[record.Producer].WasKilled))
                {
                    neverPut++;
                    continue;
                }

                counts[record.Sequence]++;
                if (lastSequenceOf.TryGetValue(record.Producer, out long last) && record.Sequence <= last)
                {
                    outOfOrder++;
                }

                lastSequenceOf[record.Producer] = record.Sequence;
            }
        }

        long put = deliveries.Values.Sum(counts => (long)Logged(counts).Length);
        long lost = deliveries.Values.Sum(counts => Logged(counts).Count(0));
        long duplicated = deliveries.Values.Sum(counts => counts.Sum(n => Math.Max(n - 1L, 0)));
        long inFlightDelivered = deliveries.Values.Sum(counts => ChildRoles.MaxBatch - Unlogged(counts).Count(0));
        long allowance = consumers.Count(c => c.WasKilled);
        (TimeSpan worstStall, long worstStallStart) = WorstStall(timestamps, flowing);

        AddIf(failures, lost > allowance, $"{lost} messages whose Put returned were never delivered; at most {allowance} (one per killed consumer) may be.");
        AddIf(failures, duplicated > 0, $"{duplicated} messages were delivered more than once.");
        AddIf(failures, corrupted > 0, $"{corrupted} messages arrived damaged (checksum or payload wrong, or MessageCorruptedException).");
        AddIf(failures, neverPut > 0, $"{neverPut} delivered messages were never put (unknown producer or sequence).");
        AddIf(failures, outOfOrder > 0, $"{outOfOrder} messages reached a consumer before an earlier message of the same producer.");
        AddIf(failures, worstStall > StallLimit, $"deliveries stalled for {worstStall.TotalMilliseconds:0} ms, more than {StallLimit.TotalMilliseconds:0} ms.");
        return new ChaosVerdict(put, delivered, inFlightDelivered, lost, allowance, duplicated, corrupted, neverPut, outOfOrder, worstStall, worstStallStart, failures);
    }

    /// <summary>A producer's delivery counters of the puts it logged.</summary>
    private static Span<int> Logged(int[] counts) => counts.AsSpan(0, counts.Length - ChildRoles.MaxBatch);

    /// <summary>A producer's delivery counters of the puts it had not logged when it was killed (its last call).</summary>
    private static Span<int> Unlogged(int[] counts) => counts.AsSpan(counts.Length - ChildRoles.MaxBatch);

    // A producer's log must be 0, 1, 2, ...: it logs each sequence once, in order, after its Put returned.
    private static int ReadPutCount(RunDirectory run, Child producer, List<string> failures)
    {
        long[] sequences = ProducerRecord.ReadAll(run.ProducerLog(producer.Incarnation));
        for (int i = 0; i < sequences.Length; i++)
        {
            if (sequences[i] != i)
            {
                failures.Add($"the log of {producer} holds sequence {sequences[i]} at place {i}: the harness itself is broken.");
                return i;
            }
        }

        return sequences.Length;
    }

    /// <summary>The longest time inside the flowing intervals in which no consumer logged a delivery.</summary>
    private static (TimeSpan Stall, long Start) WorstStall(List<long> timestamps, IReadOnlyList<FlowInterval> flowing)
    {
        timestamps.Sort();
        long worst = 0, worstStart = 0;
        foreach (FlowInterval interval in flowing)
        {
            int index = timestamps.BinarySearch(interval.Start);
            long previous = interval.Start;
            for (int i = index < 0 ? ~index : index; i < timestamps.Count && timestamps[i] <= interval.End; i++)
            {
                Track(timestamps[i]);
            }

            Track(interval.End);

            void Track(long moment)
            {
                if (moment - previous > worst)
                {
                    worst = moment - previous;
                    worstStart = previous;
                }

                previous = moment;
            }
        }

        return (Stopwatch.GetElapsedTime(0, worst), worstStart);
    }

    private static void AddIf(List<string> failures, bool condition, string failure)
    {
        if (condition)
        {
            failures.Add(failure);
        }
    }
}
