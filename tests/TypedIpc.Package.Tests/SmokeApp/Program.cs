using System.Diagnostics;
using System.Reflection;
using MemoryPack;
using TypedIpc;

// Run without arguments, the app writes a blob, puts its reference on a queue and starts itself again as a child
// process that takes the reference off the queue and reads the blob.
const int Length = 1 << 20;
if (args is ["child", string queueName])
{
    using PhotoQueue photos = PhotoQueue.Open(queueName);
    Photo photo = photos.Get(timeout: TimeSpan.FromSeconds(30));
    using SharedBlob pixels = photo.Pixels.Open();
    bool intact = pixels.Span.SequenceEqual(Pattern(Length));
    Console.WriteLine($"child (pid {Environment.ProcessId}) read '{photo.Name}': {pixels.Length} bytes, {(intact ? "intact" : "DAMAGED")}");
    return intact ? 0 : 1;
}

string name = $"package-smoke-{Guid.NewGuid():N}";
try
{
    using PhotoQueue queue = PhotoQueue.Open(name);
    queue.Put(new Photo("photo-1", SharedBlob.Write(Pattern(Length))));
    // The test runs the app as `dotnet PackageSmoke.dll`, so the child is the dotnet host with the app's assembly.
    var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };
    start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
    start.ArgumentList.Add("child");
    start.ArgumentList.Add(name);
    using Process child = Process.Start(start)!;
    child.WaitForExit();
    Console.WriteLine($"parent (pid {Environment.ProcessId}): child {child.Id} exited with {child.ExitCode}");
    return child.ExitCode;
}
finally
{
    PhotoQueue.Unlink(name);
}

static byte[] Pattern(int length) => Enumerable.Range(0, length).Select(index => (byte)(index * 7)).ToArray();

[IpcQueue(maxsize: 4), MemoryPackable]
public partial record Photo(string Name, BlobRef Pixels);

// The analyzer from the package must flag this member: TIPC001.
[IpcQueue, MemoryPackable]
public partial record InlinePhoto(string Name, byte[] Pixels);
