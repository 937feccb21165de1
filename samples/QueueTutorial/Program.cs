using QueueTutorial;

// `dotnet run` plays the tutorial; the tutorial starts this program again, in the helper role, as its second process.
return args switch
{
    [] => Tutorial.Run(Console.Out),
    [Helper.Role, string queueName] => Helper.Run(queueName),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run --project samples/QueueTutorial   (no arguments; the helper role is for the tutorial's own second process)");
    return 2;
}
