using System.Globalization;
using FilePaths;

// `dotnet run` starts the producer; the producer starts this program again, in the consumer role, for each consumer.
return args switch
{
    [] => Producer.Run(Console.Out),
    [Consumer.Role, string runName, string consumerNumber] => Consumer.Run(runName, int.Parse(consumerNumber, CultureInfo.InvariantCulture)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run --project samples/FilePaths   (no arguments; the consumer role is for the producer's own child processes)");
    return 2;
}
