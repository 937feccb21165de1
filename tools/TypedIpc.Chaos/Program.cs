using TypedIpc.Chaos;

// Crash and load proof for TypedIpc. See docs/reliability.md.
//   chaos:  TypedIpc.Chaos [--kills N | --ci] [--seed N] [--keep]
//   stress: TypedIpc.Chaos --stress [--messages N | --ci]
// The supervisor starts this program again as its children: TypedIpc.Chaos role <role> <arguments>.
// Exit codes: 0 = every invariant held, 1 = an invariant broke, 2 = bad arguments, 3 = the harness itself failed.
const int LongKills = 1000;
const int CiKills = 100;
const long LongMessages = 10_000_000;
const long CiMessages = 1_000_000;

try
{
    if (args is ["role", .. var roleArguments])
    {
        return ChildRoles.Run<ChaosMessage>(roleArguments);
    }

    bool stress = args.Contains("--stress");
    bool ci = args.Contains("--ci");
    if (stress)
    {
        return StressRun.Run<ChaosMessage>(LongOption("--messages") ?? (ci ? CiMessages : LongMessages));
    }

    int kills = (int)(LongOption("--kills") ?? (ci ? CiKills : LongKills));
    int seed = (int)(LongOption("--seed") ?? Random.Shared.Next());
    Console.WriteLine($"seed {seed} (repeat the kill schedule with --seed {seed})");
    using var chaos = new ChaosRun<ChaosMessage>(kills, seed, keepFiles: args.Contains("--keep"));
    return chaos.Run();
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
catch (Exception e)
{
    Console.Error.WriteLine(e);
    return 3;
}

long? LongOption(string name)
{
    int index = Array.IndexOf(args, name);
    if (index < 0)
    {
        return null;
    }

    return index + 1 < args.Length && long.TryParse(args[index + 1], out long value) && value > 0
        ? value
        : throw new ArgumentException($"{name} needs a positive number, e.g. {name} 1000.");
}
