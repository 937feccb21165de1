using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using TypedIpc.Tests.Support;

namespace TypedIpc.Chaos;

/// <summary>
/// This program started again in a child role, sharing the supervisor's console (children print only errors).
/// Disposing it kills the child if it still runs, so a failed run leaves no stray process behind.
/// </summary>
public sealed partial class Child : IDisposable
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

    /// <summary>Starts <paramref name="role"/> on a queue of <typeparamref name="TMessage"/>: TypedIpc.Chaos role &lt;kind&gt; &lt;role&gt; &lt;arguments&gt;.</summary>
    public static Child Start<TMessage>(string role, int incarnation, params string[] arguments)
        where TMessage : IChaosMessage<TMessage>
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };

        // Under `dotnet run` the process is this program's own executable; under `dotnet TypedIpc.Chaos.dll` it is
        // the dotnet host, which needs the assembly as its first argument.
        if (Path.GetFileName(start.FileName) == "dotnet")
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        start.ArgumentList.Add("role");
        start.ArgumentList.Add(TMessage.Kind);
        start.ArgumentList.Add(role);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return new Child(role, incarnation, Process.Start(start)!);
    }

    /// <summary>
    /// Freezes the child (SIGSTOP) so that the state it is in can be checked and cannot change before a kill; returns
    /// once the kernel shows it stopped (or gone). Until then a thread that was woken to take the signal reads as
    /// running in /proc, so a check made at once would, on a loaded machine, often miss a sleeper.
    /// </summary>
    public void Freeze()
    {
        SendSignal(SignalStop);
        long deadline = Stopwatch.GetTimestamp() + (long)(StopTimeout.TotalSeconds * Stopwatch.Frequency);
        while (!_process.HasExited && !IsStopped())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"{this} did not stop within {StopTimeout.TotalSeconds:0} s of its SIGSTOP.");
            }

            Thread.Sleep(1);
        }
    }

    /// <summary>Lets a frozen child go on (SIGCONT).</summary>
    public void Thaw() => SendSignal(SignalContinue);

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

    private const int SignalContinue = 18;
    private const int SignalStop = 19;
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    // 'T' once a SIGSTOP took effect.
    private bool IsStopped() => KernelWait.StateOf(_process.Id) == 'T';

    private void SendSignal(int signal)
    {
        if (SendSignal(_process.Id, signal) != 0 && !_process.HasExited)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}
