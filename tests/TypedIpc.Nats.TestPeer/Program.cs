using NATS.Net;
using TypedIpc.Nats;
using TypedIpc.Nats.TestPeer;

// A child process for TypedIpc.Nats's cross-process tests: every role takes the server URL and the queue name first.
// Exit codes: 0 = done, 2 = bad arguments, 3 = an exception (printed on stderr).
try
{
    string role = args[0];
    await using var client = new NatsClient(args[1]);
    string name = args[2];
    switch (role)
    {
        case "produce":
            await using (NatsQueue<Numbered> queue = await NatsQueue<Numbered>.OpenAsync(client, name, maxsize: int.Parse(args[3])))
            {
                int producer = int.Parse(args[4]);
                long count = long.Parse(args[5]);
                for (long sequence = 0; sequence < count; sequence++)
                {
                    await queue.PutAsync(new Numbered(producer, sequence));
                }
            }

            break;
        case "consume":
            await using (NatsQueue<Numbered> queue = await NatsQueue<Numbered>.OpenAsync(client, name, maxsize: int.Parse(args[3])))
            {
                await Consume(queue, outputPath: args[4]);
            }

            break;
        case "read-all":
            await using (NatsQueue<Numbered> queue = await NatsQueue<Numbered>.OpenAsync(client, name, maxsize: int.Parse(args[3])))
            {
                Console.WriteLine("reading");
                int read = 0;
                await foreach (Numbered _ in queue.ReadAllAsync())
                {
                    read++;
                }

                Console.WriteLine($"ReadAllAsync completed after {read} items");
            }

            break;
        case "take-stalling":
            await using (NatsQueue<Stalling> queue = await NatsQueue<Stalling>.OpenAsync(client, name, maxsize: int.Parse(args[3])))
            {
                Stalling item = await queue.GetAsync();
                Console.WriteLine($"got {item.Text}");
            }

            break;
        default:
            Console.Error.WriteLine($"unknown role '{role}'");
            return 2;
    }

    return 0;
}
catch (Exception e)
{
    Console.Error.WriteLine(e);
    return 3;
}

// Writes (producer, sequence) as two little-endian longs per message, until a stop message arrives.
static async Task Consume(NatsQueue<Numbered> queue, string outputPath)
{
    await using var output = new BinaryWriter(File.Create(outputPath));
    while (true)
    {
        Numbered item = await queue.GetAsync();
        if (item.IsStop)
        {
            return;
        }

        output.Write((long)item.Producer);
        output.Write(item.Sequence);
    }
}
