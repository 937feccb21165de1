using System.Diagnostics;
using System.Text.RegularExpressions;
using NATS.Net;
using TypedIpc.Nats.TestPeer;
using TypedIpc.Nats.Tests.Support;
using Xunit.Abstractions;

namespace TypedIpc.Nats.Tests;

/// <summary>Producers and consumers as separate processes that share nothing but a nats-server.</summary>
[Collection(SharedNatsServer.Name)]
public sealed partial class NatsCrossProcessTests(NatsServer server, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _name = $"nats-tests.cross.{Guid.NewGuid():N}";
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("typedipc-nats-cross-");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await using NatsClient client = server.NewClient();
        await NatsQueue<Numbered>.DeleteAsync(client, _name);
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task Two_producers_and_two_consumers_move_100000_numbered_messages_none_lost_none_twice_in_producer_order()
    {
        const int MaxSize = 1000;
        const int PerProducer = 50_000;
        var peers = new List<NatsPeer>();
        try
        {
            await using NatsClient client = server.NewClient();
            await using NatsQueue<Numbered> queue = await NatsQueue<Numbered>.OpenAsync(client, _name, MaxSize);
            string[] outputs = [Path.Combine(_directory.FullName, "consumer-0.bin"), Path.Combine(_directory.FullName, "consumer-1.bin")];
            var clock = Stopwatch.StartNew();
            foreach (string outputPath in outputs)
            {
                peers.Add(NatsPeer.Start(null, "consume", server.Url, _name, MaxSize.ToString(), outputPath));
            }

            NatsPeer[] producers = [
                NatsPeer.Start(null, "produce", server.Url, _name, MaxSize.ToString(), "0", PerProducer.ToString()),
                NatsPeer.Start(null, "produce", server.Url, _name, MaxSize.ToString(), "1", PerProducer.ToString())];
            peers.AddRange(producers);
            foreach (NatsPeer producer in producers)
            {
                producer.WaitForSuccess(TimeSpan.FromMinutes(5));
            }

            await queue.PutAsync(Numbered.Stop);
            await queue.PutAsync(Numbered.Stop);
            foreach (NatsPeer consumer in peers.Take(2))
            {
                consumer.WaitForSuccess(TimeSpan.FromMinutes(5));
            }

            clock.Stop();
            List<(long Producer, long Sequence)>[] received = outputs.Select(Read).ToArray();
            output.WriteLine($"2 producers x 2 consumers: {2 * PerProducer:N0} messages in {clock.Elapsed.TotalSeconds:0.0} s " +
                $"({2 * PerProducer / clock.Elapsed.TotalSeconds:N0} msg/s); consumer 0 got {received[0].Count:N0}, consumer 1 got {received[1].Count:N0}");

            var all = received.SelectMany(messages => messages).ToList();
            var sent = Enumerable.Range(0, 2).SelectMany(producer => Enumerable.Range(0, PerProducer).Select(i => ((long)producer, (long)i)));
            int lost = sent.Except(all).Count();
            int duplicated = all.Count - all.Distinct().Count();
            int strangers = all.Except(sent).Count();
            // A consumer sees each producer's messages in the order that producer put them: count the steps back.
            int outOfOrder = received.Sum(consumer => consumer.GroupBy(m => m.Producer)
                .Sum(fromOne => fromOne.Zip(fromOne.Skip(1)).Count(pair => pair.Second.Sequence <= pair.First.Sequence)));
            int left = queue.Count;
            output.WriteLine($"received {all.Count:N0} of {2 * PerProducer:N0}: {lost} lost, {duplicated} duplicated, {strangers} never sent, " +
                $"{outOfOrder} out of their producer's order; {left} left in the queue");

            Assert.Equal(2 * PerProducer, all.Count);
            Assert.Equal(0, lost);
            Assert.Equal(0, duplicated);
            Assert.Equal(0, strangers);
            Assert.Equal(0, outOfOrder);
            Assert.Equal(0, left);
        }
        finally
        {
            peers.ForEach(peer => peer.Dispose());
        }
    }

    [Fact]
    public async Task Shutdown_in_one_process_ends_ReadAllAsync_in_every_other_process_after_the_drain()
    {
        const int Items = 20;
        var readers = new List<NatsPeer>();
        try
        {
            await using NatsClient client = server.NewClient();
            await using NatsQueue<Numbered> queue = await NatsQueue<Numbered>.OpenAsync(client, _name, maxsize: 100);
            for (int reader = 0; reader < 2; reader++)
            {
                readers.Add(NatsPeer.Start(null, "read-all", server.Url, _name, "100"));
            }

            readers.ForEach(reader => reader.WaitForOutput("reading", TimeSpan.FromSeconds(60)));
            for (int i = 0; i < Items; i++)
            {
                await queue.PutAsync(new Numbered(0, i));
            }

            queue.Shutdown();
            readers.ForEach(reader => reader.WaitForSuccess(TimeSpan.FromSeconds(60)));

            int[] read = readers.Select(reader => int.Parse(ReadAllCompleted().Match(reader.Output).Groups[1].Value)).ToArray();
            output.WriteLine($"Shutdown in the test process; ReadAllAsync completed in both reader processes after {read[0]} and {read[1]} items");
            Assert.Equal(Items, read.Sum());
        }
        finally
        {
            readers.ForEach(reader => reader.Dispose());
        }
    }

    [GeneratedRegex(@"ReadAllAsync completed after (\d+) items")]
    private static partial Regex ReadAllCompleted();

    private static List<(long Producer, long Sequence)> Read(string path)
    {
        var messages = new List<(long, long)>();
        using var reader = new BinaryReader(File.OpenRead(path));
        while (reader.BaseStream.Position < reader.BaseStream.Length)
        {
            messages.Add((reader.ReadInt64(), reader.ReadInt64()));
        }

        return messages;
    }
}
