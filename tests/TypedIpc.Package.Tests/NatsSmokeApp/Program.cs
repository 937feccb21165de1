using MemoryPack;
using NATS.Net;
using TypedIpc;
using TypedIpc.Nats;

// Built with the TypedIpc.Nats package alone: TypedIpc, its generator and MemoryPack come with it, and the generated
// JobQueue opens over NATS in one line. Takes the server's URL.
await using var client = new NatsClient(args[0]);
try
{
    await using JobQueue jobs = await JobQueue.OpenAsync(client);
    await jobs.PutAsync(new Job("/data/in/0001.csv", Priority: 1));
    Job job = await jobs.GetAsync(TimeSpan.FromSeconds(30));
    Console.WriteLine($"over NATS, queue '{jobs.Name}' (maxsize {jobs.MaxSize}): {job}");
}
finally
{
    await NatsQueue<Job>.DeleteAsync(client, JobQueue.DefaultName);
}

[IpcQueue(maxsize: 3), MemoryPackable]
public partial record Job(string Path, int Priority);
