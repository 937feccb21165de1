using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using MemoryPack;

namespace TypedIpc.Benchmarks;

/// <summary>One end of a two-way message channel between two processes.</summary>
public interface IMessageChannel<T> : IDisposable
{
    void Send(T message);

    T Receive();

    /// <summary>Sends every message in order; a channel without batches sends them one by one.</summary>
    void SendMany(ReadOnlySpan<T> messages)
    {
        foreach (T message in messages)
        {
            Send(message);
        }
    }

    /// <summary>Sends awaiting instead of blocking; a channel without an async form sends blocking.</summary>
    ValueTask SendAsync(T message)
    {
        Send(message);
        return ValueTask.CompletedTask;
    }

    /// <summary>Receives awaiting instead of blocking; a channel without an async form receives blocking.</summary>
    ValueTask<T> ReceiveAsync() => new(Receive());

    /// <summary>Waits for one message, then takes what else is ready; a channel without batches takes one.</summary>
    int ReceiveMany(Span<T> destination)
    {
        destination[0] = Receive();
        return 1;
    }
}

/// <summary>Which end a process opens: the listener comes up first (consumer, ponger), the dialer joins it.</summary>
public enum ChannelEnd
{
    Dialer,
    Listener,
}

public static class Channels
{
    private const int MaxSize = 1024;

    /// <summary>Opens this process's end, calling <paramref name="announceReady"/> as soon as the other end may open.</summary>
    public static IMessageChannel<T> Open<T>(BenchOptions options, ChannelEnd end, Action announceReady)
    {
        if (options.Peer == Peer.Uds)
        {
            return SocketChannel<T>.Open(SocketPath(options), end, announceReady);
        }

        var queueOptions = new QueueOptions { MaxMessageBytes = Math.Max(QueueOptions.DefaultMaxMessageBytes, options.Bytes + 64) };
        (string outbound, string inbound) = end == ChannelEnd.Dialer
            ? (ForwardQueue(options), BackwardQueue(options))
            : (BackwardQueue(options), ForwardQueue(options));
        var channel = new QueueChannel<T>(
            SharedQueue<T>.Open(outbound, MaxSize, queueOptions),
            SharedQueue<T>.Open(inbound, MaxSize, queueOptions));
        announceReady();
        return channel;
    }

    /// <summary>Removes what the run's processes created under /dev/shm or the temp directory.</summary>
    public static void Remove(BenchOptions options)
    {
        if (options.Peer == Peer.Uds)
        {
            File.Delete(SocketPath(options));
            return;
        }

        foreach (string name in new[] { ForwardQueue(options), BackwardQueue(options) })
        {
            try
            {
                SharedQueue<Job>.Unlink(name);
            }
            catch (QueueNotFoundException)
            {
                // A child that failed before opening leaves nothing to remove.
            }
        }
    }

    private static string ForwardQueue(BenchOptions options) => options.Name + "-forward";

    private static string BackwardQueue(BenchOptions options) => options.Name + "-backward";

    private static string SocketPath(BenchOptions options) => Path.Combine(Path.GetTempPath(), $"typedipc-{options.Name}.sock");
}

/// <summary>Two SharedQueues: one this end puts on, one it gets from.</summary>
public sealed class QueueChannel<T>(SharedQueue<T> outbound, SharedQueue<T> inbound) : IMessageChannel<T>
{
    public void Send(T message) => outbound.Put(message);

    public T Receive() => inbound.Get();

    public void SendMany(ReadOnlySpan<T> messages) => outbound.PutMany(messages);

    public int ReceiveMany(Span<T> destination) => inbound.GetMany(destination);

    public ValueTask SendAsync(T message) => outbound.PutAsync(message);

    public ValueTask<T> ReceiveAsync() => inbound.GetAsync();

    public void Dispose()
    {
        outbound.Dispose();
        inbound.Dispose();
    }
}

/// <summary>A connected Unix domain socket carrying frames of a 4-byte little-endian length and a MemoryPack payload.</summary>
public sealed class SocketChannel<T> : IMessageChannel<T>
{
    private const int LengthPrefixBytes = sizeof(int);

    private readonly Socket _socket;
    private readonly BufferedStream _input;
    private readonly ArrayBufferWriter<byte> _payload = new();
    private byte[] _frame = new byte[256];

    private SocketChannel(Socket socket)
    {
        _socket = socket;
        _input = new BufferedStream(new NetworkStream(socket, ownsSocket: false), 64 * 1024);
    }

    public static SocketChannel<T> Open(string path, ChannelEnd end, Action announceReady)
    {
        var endpoint = new UnixDomainSocketEndPoint(path);
        if (end == ChannelEnd.Dialer)
        {
            var dialer = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            dialer.Connect(endpoint);
            announceReady();
            return new SocketChannel<T>(dialer);
        }

        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(endpoint);
        listener.Listen(1);
        announceReady();
        return new SocketChannel<T>(listener.Accept());
    }

    /// <summary>Sends the whole frame with one write, as a queue's put publishes one message.</summary>
    public void Send(T message)
    {
        _payload.ResetWrittenCount();
        MemoryPackSerializer.Serialize(_payload, message);
        int frameBytes = LengthPrefixBytes + _payload.WrittenCount;
        if (_frame.Length < frameBytes)
        {
            _frame = new byte[frameBytes * 2];
        }

        BinaryPrimitives.WriteInt32LittleEndian(_frame, _payload.WrittenCount);
        _payload.WrittenSpan.CopyTo(_frame.AsSpan(LengthPrefixBytes));
        for (int sent = 0; sent < frameBytes;)
        {
            sent += _socket.Send(_frame.AsSpan(sent, frameBytes - sent));
        }
    }

    public T Receive()
    {
        Span<byte> prefix = stackalloc byte[LengthPrefixBytes];
        _input.ReadExactly(prefix);
        int length = BinaryPrimitives.ReadInt32LittleEndian(prefix);
        if (_frame.Length < length)
        {
            _frame = new byte[length * 2];
        }

        _input.ReadExactly(_frame, 0, length);
        return MemoryPackSerializer.Deserialize<T>(_frame.AsSpan(0, length))!;
    }

    public void Dispose()
    {
        _input.Dispose();
        _socket.Dispose();
    }
}
