using System.Globalization;

namespace TypedIpc.Benchmarks;

public enum Peer
{
    /// <summary>TypedIpc's SharedQueue.</summary>
    TypedIpc,

    /// <summary>A Unix domain socket carrying length-prefixed MemoryPack frames.</summary>
    Uds,
}

public enum MessageKind
{
    Job,
    Tick,
    Blob,
}

/// <summary>The command line of a parent mode or of a child role: <c>MODE [--option value]...</c>.</summary>
public sealed record BenchOptions
{
    public const string Usage =
        "usage: TypedIpc.Benchmarks throughput|pingpong|idle [--peer typedipc|uds] [--message job|tick|blob] [--bytes N] " +
        "[--seconds S] [--producers P] [--consumers C] [--batch N] [--async]\n" +
        "       TypedIpc.Benchmarks wake [--async] [--samples N]\n" +
        "       TypedIpc.Benchmarks allocations [--smoke]\n" +
        "       TypedIpc.Benchmarks allocation-check";

    private static readonly string[] s_modes = ["throughput", "pingpong", "idle", "wake", "allocations", "allocation-check", "child"];

    public string Mode { get; init; } = "";

    public string? ChildRole { get; init; }

    public Peer Peer { get; init; } = Peer.TypedIpc;

    public MessageKind Message { get; init; } = MessageKind.Job;

    public int Bytes { get; init; } = 32;

    public double Seconds { get; init; } = 1.0;

    public int Producers { get; init; } = 1;

    /// <summary>Messages per PutMany/GetMany in throughput runs; 1 puts and gets one at a time.</summary>
    public int Batch { get; init; } = 1;

    public int Consumers { get; init; } = 1;

    /// <summary>Put and get with PutAsync/GetAsync, awaited, instead of the blocking calls (TypedIpc only).</summary>
    public bool Async { get; init; }

    /// <summary>How many wakes the wake mode measures.</summary>
    public int Samples { get; init; } = 1000;

    /// <summary>The channel's name, chosen by the parent and handed to its children.</summary>
    public string Name { get; init; } = $"bench-{Guid.NewGuid():N}";

    public bool Smoke { get; init; }

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || !s_modes.Contains(args[0]))
        {
            throw new ArgumentException($"the first argument must be one of {string.Join(", ", s_modes)}.");
        }

        var options = new BenchOptions { Mode = args[0] };
        int i = 1;
        if (options.Mode == "child")
        {
            options = options with { ChildRole = ValueAt(args, i++, "child") };
        }

        for (; i < args.Count; i++)
        {
            string key = args[i];
            options = key switch
            {
                "--smoke" => options with { Smoke = true },
                "--async" => options with { Async = true },
                "--samples" => options with { Samples = ParsePositiveInt(ValueAt(args, ++i, key), key) },
                "--peer" => options with { Peer = ParseEnum<Peer>(ValueAt(args, ++i, key), key) },
                "--message" => options with { Message = ParseEnum<MessageKind>(ValueAt(args, ++i, key), key) },
                "--bytes" => options with { Bytes = ParsePositiveInt(ValueAt(args, ++i, key), key) },
                "--seconds" => options with { Seconds = ParseSeconds(ValueAt(args, ++i, key)) },
                "--producers" => options with { Producers = ParsePositiveInt(ValueAt(args, ++i, key), key) },
                "--consumers" => options with { Consumers = ParsePositiveInt(ValueAt(args, ++i, key), key) },
                "--batch" => options with { Batch = ParsePositiveInt(ValueAt(args, ++i, key), key) },
                "--name" => options with { Name = ValueAt(args, ++i, key) },
                _ => throw new ArgumentException($"unknown option '{key}'."),
            };
        }

        if (options.Peer == Peer.Uds && (options.Producers != 1 || options.Consumers != 1))
        {
            throw new ArgumentException("a Unix socket connects one producer to one consumer: use --producers 1 --consumers 1 with --peer uds.");
        }

        if (options.Async && (options.Peer != Peer.TypedIpc || options.Batch != 1 || options.Mode is "idle" or "allocations"))
        {
            throw new ArgumentException(
                "--async measures PutAsync/GetAsync: use it with --peer typedipc, without --batch (they have no batch form), " +
                "in the throughput, pingpong or wake mode.");
        }

        if (options.Mode == "wake" && options.Peer != Peer.TypedIpc)
        {
            throw new ArgumentException("the wake mode measures TypedIpc's Get and GetAsync: use it with --peer typedipc.");
        }

        return options;
    }

    /// <summary>The command line a child process in <paramref name="role"/> gets to share this run's settings.</summary>
    public IEnumerable<string> ToChildArguments(string role) =>
    [
        "child", role,
        "--peer", Peer.ToString().ToLowerInvariant(),
        "--message", Message.ToString().ToLowerInvariant(),
        "--bytes", Bytes.ToString(CultureInfo.InvariantCulture),
        "--seconds", Seconds.ToString("R", CultureInfo.InvariantCulture),
        "--producers", Producers.ToString(CultureInfo.InvariantCulture),
        "--consumers", Consumers.ToString(CultureInfo.InvariantCulture),
        "--batch", Batch.ToString(CultureInfo.InvariantCulture),
        "--name", Name,
        .. Async ? ["--async"] : Array.Empty<string>(),
    ];

    private static string ValueAt(IReadOnlyList<string> args, int index, string key) =>
        index < args.Count ? args[index] : throw new ArgumentException($"'{key}' needs a value.");

    private static TEnum ParseEnum<TEnum>(string value, string key)
        where TEnum : struct, Enum =>
        Enum.TryParse(value, ignoreCase: true, out TEnum parsed) && Enum.IsDefined(parsed)
            ? parsed
            : throw new ArgumentException($"'{key}' takes one of {string.Join(", ", Enum.GetNames<TEnum>()).ToLowerInvariant()}, not '{value}'.");

    private static int ParsePositiveInt(string value, string key) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int parsed) && parsed > 0
            ? parsed
            : throw new ArgumentException($"'{key}' takes a positive whole number, not '{value}'.");

    private static double ParseSeconds(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) && parsed > 0
            ? parsed
            : throw new ArgumentException($"'--seconds' takes a positive number, not '{value}'.");
}
