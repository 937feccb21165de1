using TypedIpc.Chaos;

// Crash and load proof for TypedIpc. See docs/reliability.md.
//   chaos:  TypedIpc.Chaos [--kills N | --ci] [--seed N] [--keep] [--message packed|raw]
//   stress: TypedIpc.Chaos --stress [--messages N | --ci] [--message packed|raw]
// --message picks what the processes move: packed = ChaosMessage (MemoryPack, the default), raw = ChaosTick (unmanaged).
// The supervisor starts this program again as its children: TypedIpc.Chaos role <message kind> <role> <arguments>.
// Exit codes: 0 = every invariant held, 1 = an invariant broke, 2 = bad arguments, 3 = the harness itself failed.
const int LongKills = 1000;
const int CiKills = 100;
const long LongMessages = 10_000_000;
const long CiMessages = 1_000_000;

try
{
    string kind = args is ["role", var childKind, ..] ? childKind : MessageOption() ?? ChaosMessage.Kind;
    if (kind == ChaosMessage.Kind)
    {
        return RunWith<ChaosMessage>();
    }

    if (kind == ChaosTick.Kind)
    {
        return RunWith<ChaosTick>();
    }

    throw new ArgumentException($"--message needs {ChaosMessage.Kind} or {ChaosTick.Kind}, not '{kind}'.");
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

int RunWith<TMessage>()
    where TMessage : IChaosMessage<TMessage>
{
    if (args is ["role", _, .. var roleArguments])
    {
        return ChildRoles.Run<TMessage>(roleArguments);
    }

    bool stress = args.Contains("--stress");
    bool ci = args.Contains("--ci");
    if (stress)
    {
        return StressRun.Run<TMessage>(LongOption("--messages") ?? (ci ? CiMessages : LongMessages));
    }

    int kills = (int)(LongOption("--kills") ?? (ci ? CiKills : LongKills));
    int seed = (int)(LongOption("--seed") ?? Random.Shared.Next());
    Console.WriteLine($"seed {seed}, {TMessage.Kind} messages ({typeof(TMessage).Name}): repeat the kill schedule with --seed {seed} --message {TMessage.Kind}");
    using var chaos = new ChaosRun<TMessage>(kills, seed, keepFiles: args.Contains("--keep"));
    return chaos.Run();
}

string? MessageOption()
{
    int index = Array.IndexOf(args, "--message");
    if (index < 0)
    {
        return null;
    }

    return index + 1 < args.Length
        ? args[index + 1]
        : throw new ArgumentException($"--message needs {ChaosMessage.Kind} or {ChaosTick.Kind}, e.g. --message {ChaosTick.Kind}.");
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
