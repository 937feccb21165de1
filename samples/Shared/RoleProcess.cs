using System.Diagnostics;
using System.Reflection;

namespace TypedIpc.Samples;

/// <summary>
/// Another copy of the running sample, started as a real second process in another role (the way Python's
/// <c>multiprocessing.Process</c> starts a worker). It shares this process's console; disposing it kills it if
/// it is still running, so a failed run leaves no stray process behind.
/// </summary>
internal sealed class RoleProcess : IDisposable
{
    private readonly Process _process;

    private RoleProcess(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    /// <summary>Starts this program again with <paramref name="arguments"/> (the role and what it needs to know).</summary>
    public static RoleProcess Start(params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };

        // Under `dotnet run` or a published app the process is this program's own executable; under `dotnet app.dll`
        // it is the dotnet host, which needs the program's assembly as its first argument.
        if (Path.GetFileNameWithoutExtension(start.FileName) == "dotnet")
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return new RoleProcess(Process.Start(start)!);
    }

    /// <summary>Waits for the process to end and throws unless it ended in time with exit code 0.</summary>
    public void WaitForSuccess(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            throw new TimeoutException($"process {Id} did not finish within {timeout.TotalSeconds:0} s.");
        }

        if (_process.ExitCode != 0)
        {
            throw new InvalidOperationException($"process {Id} failed with exit code {_process.ExitCode}; its error is printed above.");
        }
    }

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
