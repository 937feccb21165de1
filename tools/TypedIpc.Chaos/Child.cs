using System.Diagnostics;
using System.Reflection;

namespace TypedIpc.Chaos;

/// <summary>
/// This program started again in a child role, sharing the supervisor's console (children print only errors).
/// Disposing it kills the child if it still runs, so a failed run leaves no stray process behind.
/// </summary>
public sealed class Child : IDisposable
{
    private readonly Process _process;

    private Child(string role, int incarnation, Process process)
    {
        Role = role;
        Incarnation = incarnation;
        _process = process;
        StartedAt = Stopwatch.GetTimestamp();
    }

    public string Role { get; }

    /// <summary>The id the supervisor gave this process: unique per role within a run, never reused after a kill.</summary>
    public int Incarnation { get; }

    public long StartedAt { get; }

    public bool WasKilled { get; private set; }

    public bool HasExited => _process.HasExited;

    /// <summary>The process id; for the chaos roles also the id of the thread that makes the queue calls (the main thread).</summary>
    public int Id => _process.Id;

    public int ExitCode => _process.ExitCode;

    public static Child Start(string role, int incarnation, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };

        // Under `dotnet run` the process is this program's own executable; under `dotnet TypedIpc.Chaos.dll` it is
        // the dotnet host, which needs the assembly as its first argument.
        if (Path.GetFileName(start.FileName) == "dotnet")
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        start.ArgumentList.Add("role");
        start.ArgumentList.Add(role);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return new Child(role, incarnation, Process.Start(start)!);
    }

    /// <summary>Sends SIGKILL and waits until the process is gone; returns the moment of the kill.</summary>
    public long Kill()
    {
        long killedAt = Stopwatch.GetTimestamp();
        WasKilled = !_process.HasExited;
        _process.Kill();
        _process.WaitForExit();
        return killedAt;
    }

    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    public override string ToString() => $"{Role} #{Incarnation} (pid {_process.Id})";

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}
