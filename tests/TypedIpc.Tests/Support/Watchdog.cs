namespace TypedIpc.Tests.Support;

/// <summary>
/// Runs a test case on a thread of its own and fails, naming the case, when it has not finished within its time
/// limit, so that a hang fails one test with a name instead of stalling the whole run until the CI timeout.
/// The hung thread is left behind as a background thread; the caller's fixtures still clean up.
/// </summary>
public static class Watchdog
{
    public static void Run(string caseName, TimeSpan limit, Action body)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                body();
            }
            catch (Exception e)
            {
                failure = e;
            }
        })
        {
            IsBackground = true,
            Name = caseName.Length > 60 ? caseName[..60] : caseName,
        };
        thread.Start();
        if (!thread.Join(limit))
        {
            throw new TimeoutException($"HANG: {caseName} did not finish within {limit.TotalSeconds:0} s.");
        }

        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }
}
