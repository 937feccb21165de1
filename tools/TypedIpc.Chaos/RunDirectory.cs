namespace TypedIpc.Chaos;

/// <summary>
/// The files of one run, under /tmp: the control block and one log per producer or consumer incarnation.
/// Children get the directory's path and find their files by incarnation id.
/// </summary>
public sealed class RunDirectory : IDisposable
{
    private readonly bool _keep;

    private RunDirectory(string path, bool keep)
    {
        Path = path;
        _keep = keep;
    }

    public string Path { get; }

    public string ControlFile => System.IO.Path.Combine(Path, "control");

    public static RunDirectory Create(bool keep)
    {
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"typedipc-chaos-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return new RunDirectory(path, keep);
    }

    public static RunDirectory Existing(string path) => new(path, keep: true);

    public string ProducerLog(int producer) => System.IO.Path.Combine(Path, $"producer-{producer}.log");

    public string ConsumerLog(int consumer) => System.IO.Path.Combine(Path, $"consumer-{consumer}.log");

    public void Dispose()
    {
        if (_keep)
        {
            Console.WriteLine($"run files kept in {Path}");
        }
        else
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
