using Microsoft.Extensions.Hosting;

namespace WorkerService;

/// <summary>Which jobs the worker has handled; once all the producer's jobs are in, it stops the host (a real worker would run on).</summary>
internal sealed class JobLedger(IHostApplicationLifetime lifetime)
{
    private readonly Dictionary<int, int> _timesHandled = [];

    public int Expected { get; set; }

    public void Done(int id)
    {
        lock (_timesHandled)
        {
            _timesHandled[id] = _timesHandled.GetValueOrDefault(id) + 1;
            if (_timesHandled.Count == Expected)
            {
                lifetime.StopApplication();
            }
        }
    }

    /// <summary>How many distinct jobs were handled, and how many of them more than once.</summary>
    public (int Handled, int Twice) Tally()
    {
        lock (_timesHandled)
        {
            return (_timesHandled.Count, _timesHandled.Values.Count(times => times > 1));
        }
    }
}
