using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ManyHosts;

/// <summary>
/// A nats-server with JetStream on a free loopback port and a temporary store, for a run that was given no server:
/// it stands in for the broker that the "hosts" would share. Disposing it stops it and deletes the store.
/// </summary>
internal sealed class LocalNatsServer : IDisposable
{
    private readonly Process _process;
    private readonly DirectoryInfo _store;

    private LocalNatsServer(Process process, DirectoryInfo store, string url)
    {
        _process = process;
        _store = store;
        Url = url;
    }

    public string Url { get; }

    public static LocalNatsServer Start()
    {
        int port = FreePort();
        DirectoryInfo store = Directory.CreateTempSubdirectory("typedipc-many-hosts-nats-");
        var start = new ProcessStartInfo("nats-server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in new[] { "-js", "-a", "127.0.0.1", "-p", port.ToString(), "-sd", store.FullName })
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            store.Delete(recursive: true);
            throw new InvalidOperationException("nats-server is not on PATH: install it (apt-get install nats-server, or bash tools/setup.sh), or pass a server's URL.", e);
        }

        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new LocalNatsServer(process, store, $"nats://127.0.0.1:{port}");
        server.WaitUntilListening(port);
        return server;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
        _store.Delete(recursive: true);
    }

    private void WaitUntilListening(int port)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                probe.Connect(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (clock.Elapsed < TimeSpan.FromSeconds(30) && !_process.HasExited)
            {
                Thread.Sleep(50);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
