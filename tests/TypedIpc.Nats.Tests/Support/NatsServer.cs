using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using NATS.Client.Core;
using NATS.Net;

namespace TypedIpc.Nats.Tests.Support;

/// <summary>
/// A real nats-server with JetStream, started by the test on a free loopback port with its own store directory
/// (<c>nats-server -js -a 127.0.0.1 -p PORT -sd DIR</c>). Disposing it kills the server and deletes the store.
/// nats-server must be on PATH: <c>bash tools/test.sh</c> installs it through tools/setup.sh.
/// </summary>
public sealed class NatsServer : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly StringBuilder _log = new();
    private Process? _process;

    public NatsServer()
    {
        Port = FreePort();
        StoreDirectory = Directory.CreateTempSubdirectory("typedipc-nats-").FullName;
        Start();
    }

    public int Port { get; }

    public string StoreDirectory { get; }

    public string Url => $"nats://127.0.0.1:{Port}";

    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("the server is not running.");

    /// <summary>A client that reconnects quickly, so that a test of a restart does not wait for the default 2 s backoff.</summary>
    public NatsClient NewClient() => new(new NatsOpts
    {
        Url = Url,
        Name = "typedipc-tests",
        ReconnectWaitMin = TimeSpan.FromMilliseconds(100),
        ReconnectWaitMax = TimeSpan.FromMilliseconds(500),
        MaxReconnectRetry = -1,
    });

    public void Start()
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException("the server is already running.");
        }

        var start = new ProcessStartInfo("nats-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { "-js", "-a", "127.0.0.1", "-p", Port.ToString(), "-sd", StoreDirectory })
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            _process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                "nats-server is not on PATH. Run the tests with `bash tools/test.sh`, which installs it (tools/setup.sh).", e);
        }

        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        WaitUntilJetStreamAnswers();
    }

    /// <summary>SIGKILL: the server gets no chance to flush or say goodbye.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } running)
        {
            running.Kill();
            running.WaitForExit();
        }
    }

    /// <summary>SIGSTOP: the server keeps its connections open but answers nothing, as a hung or cut-off server would.</summary>
    public void Pause() => Signal(SignalStop);

    /// <summary>SIGCONT: the paused server reads what was sent to it meanwhile and answers again.</summary>
    public void Resume() => Signal(SignalContinue);

    public void Dispose()
    {
        Kill();
        _process?.Dispose();
        Directory.Delete(StoreDirectory, recursive: true);
    }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    private void WaitUntilJetStreamAnswers()
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var client = new NatsClient(Url);
                try
                {
                    client.CreateJetStreamContext().GetAccountInfoAsync().AsTask().Wait(TimeSpan.FromSeconds(5));
                    return;
                }
                finally
                {
                    client.DisposeAsync().AsTask().Wait();
                }
            }
            catch (Exception e) when (clock.Elapsed < StartTimeout && e is NatsException or AggregateException)
            {
                if (_process!.HasExited)
                {
                    throw new InvalidOperationException($"nats-server exited with {_process.ExitCode} at start:{Environment.NewLine}{Log}");
                }

                Thread.Sleep(50);
            }
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    private void Signal(int signal)
    {
        if (SendSignal(ProcessId, signal) != 0)
        {
            throw new InvalidOperationException($"kill({ProcessId}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    private const int SignalContinue = 18;
    private const int SignalStop = 19;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>One nats-server for every test class that does not need its own (xunit collection fixture).</summary>
[CollectionDefinition(Name)]
public sealed class SharedNatsServer : ICollectionFixture<NatsServer>
{
    public const string Name = "shared nats-server";
}
