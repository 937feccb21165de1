using System.Globalization;
using TypedIpc.Nats.Benchmarks;

// NatsQueue<T> against NATS.Net's own JetStream calls on the same MemoryPack bytes, in the same run, rounds
// interleaved; prints the rows of docs/benchmarks-nats.md. benchmarks/run.sh starts the nats-server it is given.
//   TypedIpc.Nats.Benchmarks <nats-url> [--rounds N] [--smoke]
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: TypedIpc.Nats.Benchmarks <nats-url> [--rounds N] [--smoke]");
    return 2;
}

string url = args[0];
bool smoke = args.Contains("--smoke");
int rounds = smoke ? 1 : args.SkipWhile(a => a != "--rounds").Skip(1).Select(int.Parse).FirstOrDefault(5);
int messages = smoke ? 500 : 20_000;
int roundTrips = smoke ? 100 : 2_000;
NatsScenarios.ChannelOpener natsQueue = NatsQueueChannel.OpenAsync;
NatsScenarios.ChannelOpener raw = RawJetStreamChannel.OpenAsync;

// Warm-up: JIT and connections, not measured.
await NatsScenarios.SpscAsync(url, natsQueue, 200);
await NatsScenarios.SpscAsync(url, raw, 200);

var spsc = (Ours: new List<double>(), Raw: new List<double>());
var pingPong = (Ours: new List<double>(), Raw: new List<double>());
for (int round = 0; round < rounds; round++)
{
    // Alternate who goes first, so that neither always meets a warmer server.
    bool oursFirst = round % 2 == 0;
    foreach (bool ours in oursFirst ? new[] { true, false } : [false, true])
    {
        NatsScenarios.ChannelOpener open = ours ? natsQueue : raw;
        (ours ? spsc.Ours : spsc.Raw).Add(await NatsScenarios.SpscAsync(url, open, messages));
        (ours ? pingPong.Ours : pingPong.Raw).Add(await NatsScenarios.PingPongMedianMicrosecondsAsync(url, open, roundTrips));
    }

    Console.Error.WriteLine($"round {round + 1}/{rounds}: SPSC {spsc.Ours[^1]:N0} vs {spsc.Raw[^1]:N0} msg/s; " +
        $"ping-pong p50 {pingPong.Ours[^1]:N0} vs {pingPong.Raw[^1]:N0} µs");
}

double spscOurs = Median(spsc.Ours), spscRaw = Median(spsc.Raw);
double pingOurs = Median(pingPong.Ours), pingRaw = Median(pingPong.Raw);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
| Scenario (nats-server 2.9 on loopback, memory storage, `Job`) | NatsQueue&lt;Job&gt; | raw NATS.Net JetStream, same bytes | NatsQueue overhead |
| --- | --- | --- | --- |
| SPSC, async Put/Get, unbounded, {messages:N0} messages | {spscOurs:N0} msg/s | {spscRaw:N0} msg/s | {(spscRaw / spscOurs - 1) * 100:+0;-0}% time per message |
| Ping-pong round trip p50, {roundTrips:N0} round trips | {pingOurs:N0} µs | {pingRaw:N0} µs | {(pingOurs / pingRaw - 1) * 100:+0;-0}% |
"""));
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Median of {rounds} round{(rounds == 1 ? "" : "s")}; a negative overhead means NatsQueue was faster."));
return 0;

static double Median(List<double> values)
{
    double[] sorted = [.. values.Order()];
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}
