using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace TypedIpc.Tests.Support;

/// <summary>Listens to the TypedIpc meter and keeps the measurements tagged with one queue's name (tests run side by side).</summary>
public sealed class QueueMeasurements : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly string _queueName;
    private readonly ConcurrentQueue<(string Instrument, double Value, string? Operation)> _measurements = new();
    private readonly ConcurrentQueue<double> _depths = new();

    public QueueMeasurements(string queueName)
    {
        _queueName = queueName;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "TypedIpc")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Keep(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Keep(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Keep(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The sum of the instrument's measurements for this queue (and operation, when given).</summary>
    public double Sum(string instrument, string? operation = null) =>
        Values(instrument, operation).Sum();

    public IReadOnlyList<double> Values(string instrument, string? operation = null) =>
        [.. _measurements.Where(m => m.Instrument == instrument && (operation is null || m.Operation == operation)).Select(m => m.Value)];

    /// <summary>Has the observable instruments (the depth gauge) report now; returns this queue's depths reported.</summary>
    public IReadOnlyList<double> ObserveDepth()
    {
        _depths.Clear();
        _listener.RecordObservableInstruments();
        return [.. _depths];
    }

    public void Dispose() => _listener.Dispose();

    private void Keep(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? queue = null;
        string? operation = null;
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            if (tag.Key == "typedipc.queue.name")
            {
                queue = (string?)tag.Value;
            }
            else if (tag.Key == "typedipc.queue.operation")
            {
                operation = (string?)tag.Value;
            }
        }

        if (queue == _queueName && instrument.Name == "typedipc.queue.depth")
        {
            _depths.Enqueue(value);
        }
        else if (queue == _queueName)
        {
            _measurements.Enqueue((instrument.Name, value, operation));
        }
    }
}
