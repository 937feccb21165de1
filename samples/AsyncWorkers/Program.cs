using System.Globalization;
using AsyncWorkers;

// `dotnet run` starts the boss; the boss starts this program again, in the worker role, for each worker.
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, press) =>
{
    press.Cancel = true; // end cleanly: a worker stops after its current job, the boss stops waiting
    stop.Cancel();
};

return args switch
{
    [] => await Boss.RunAsync(Console.Out, stop.Token),
    [Worker.Role, string queueName, string number] => await Worker.RunAsync(queueName, int.Parse(number, CultureInfo.InvariantCulture), stop.Token),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run --project samples/AsyncWorkers   (no arguments; the worker role is for the boss's own child processes)");
    return 2;
}
