namespace TypedIpc.TestPeer;

/// <summary>The roles on joinable queues (QueueOptions.Joinable) of <see cref="Numbered"/>.</summary>
public static class JoinableRoles
{
    public static bool Handles(string role) => role is "joinable-take" or "joinable-open";

    public static int Run(string role, string[] args)
    {
        switch (role)
        {
            case "joinable-take":
                // name maxsize gets dones: gets that many items, calls TaskDone that many times (printing
                // "TaskDone threw <exception>" for a call that throws), prints "holding <gets - dones>", then calls
                // TaskDone once per "done" line on stdin (printing "done") until end of input.
                Take(Open(args[0], int.Parse(args[1]), joinable: true), gets: int.Parse(args[2]), dones: int.Parse(args[3]));
                return 0;
            case "joinable-open":
                // name maxsize joinable: prints "opened, IsJoinable <value>", or "mismatch: <message>".
                try
                {
                    using SharedQueue<Numbered> queue = Open(args[0], int.Parse(args[1]), bool.Parse(args[2]));
                    Console.WriteLine($"opened, IsJoinable {queue.IsJoinable}");
                }
                catch (QueueMismatchException e)
                {
                    Console.WriteLine($"mismatch: {e.Message}");
                }

                return 0;
            default:
                Console.Error.WriteLine($"unknown role '{role}'");
                return 2;
        }
    }

    private static SharedQueue<Numbered> Open(string name, int maxsize, bool joinable) =>
        SharedQueue<Numbered>.Open(name, maxsize, new QueueOptions { Joinable = joinable });

    private static void Take(SharedQueue<Numbered> queue, int gets, int dones)
    {
        using SharedQueue<Numbered> owned = queue;
        for (int i = 0; i < gets; i++)
        {
            queue.Get();
        }

        for (int i = 0; i < dones; i++)
        {
            try
            {
                queue.TaskDone();
            }
            catch (InvalidOperationException e)
            {
                Console.WriteLine($"TaskDone threw {e.GetType().Name}: {e.Message}");
            }
        }

        Console.WriteLine($"holding {Math.Max(gets - dones, 0)}");
        while (Console.In.ReadLine() == "done")
        {
            queue.TaskDone();
            Console.WriteLine("done");
        }
    }
}
