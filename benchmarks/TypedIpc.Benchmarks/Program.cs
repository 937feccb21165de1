using TypedIpc.Benchmarks;

// Parent modes measure one scenario and print one JSON line; "child" modes are the other processes they launch.
try
{
    BenchOptions options = BenchOptions.Parse(args);
    if (options.Mode == "allocation-check")
    {
        return AllocationCheck.Run();
    }

    if (options.Mode == "allocations")
    {
        Console.WriteLine(AllocationBenchmarks.Run(options.Smoke));
    }
    else
    {
        Action<BenchOptions> run = options.Message switch
        {
            MessageKind.Job => RunWith<Job>,
            MessageKind.Tick => RunWith<Tick>,
            _ => RunWith<Blob>,
        };
        run(options);
    }

    return 0;
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"TypedIpc.Benchmarks: {e.Message}");
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

static void RunWith<T>(BenchOptions options)
    where T : IBenchMessage<T>
{
    if (options.ChildRole is { } role)
    {
        ChildRoles.Run<T>(role, options);
    }
    else
    {
        Console.WriteLine(Scenarios.Run<T>(options));
    }
}
