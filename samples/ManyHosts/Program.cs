using System.Globalization;
using ManyHosts;

// `dotnet run` starts a local nats-server and the producer; `dotnet run -- nats://host:4222` uses that server instead,
// and `dotnet run -- shared-memory` runs the very same consumers over shared memory. The producer starts this program
// again, in the consumer role, for each consumer.
return args switch
{
    [] => await RunWithLocalServer(),
    [string backend] => await Producer.Run(Console.Out, Backend.Parse(backend)),
    [Consumer.Role, string backend, string runName, string consumerNumber] =>
        await Consumer.Run(Backend.Parse(backend), runName, int.Parse(consumerNumber, CultureInfo.InvariantCulture)),
    _ => Usage(),
};

static async Task<int> RunWithLocalServer()
{
    using LocalNatsServer server = LocalNatsServer.Start();
    Console.WriteLine($"Started nats-server -js at {server.Url} (a temporary store); it stands in for the broker the hosts share.");
    return await Producer.Run(Console.Out, new Backend(server.Url));
}

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run --project samples/ManyHosts [-- nats://host:port | shared-memory]");
    return 2;
}
