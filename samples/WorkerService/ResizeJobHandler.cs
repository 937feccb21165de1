using Microsoft.Extensions.Logging;
using TypedIpc.Hosting;

namespace WorkerService;

/// <summary>
/// Handles one job. The hosted consumer resolves it in a scope of its own for each message, so it may take scoped
/// services; an exception it throws is logged and the worker goes on with the next job.
/// </summary>
internal sealed partial class ResizeJobHandler(JobLedger ledger, ILogger<ResizeJobHandler> logger) : IIpcMessageHandler<ResizeJob>
{
    public async Task HandleAsync(ResizeJob message, CancellationToken cancellationToken)
    {
        // The work itself: an image library would resize message.ImagePath here.
        await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        LogResized(message.Id, message.ImagePath, message.Width);
        ledger.Done(message.Id);
    }

    [LoggerMessage(1, LogLevel.Information, "Job {Id}: {ImagePath} resized to {Width} px wide.")]
    private partial void LogResized(int id, string imagePath, int width);
}
