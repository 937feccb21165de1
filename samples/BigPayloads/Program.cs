using BigPayloads;

// `dotnet run` starts the producer; the producer starts this program again, in the consumer role, once per transport.
return args switch
{
    [] => Producer.Run(Console.Out),
    [Consumer.Role, string transport, string runName] => Consumer.Run(Enum.Parse<Transport>(transport), runName),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run --project samples/BigPayloads   (no arguments; the consumer role is for the producer's own child processes)");
    return 2;
}
