using System.Diagnostics;
using System.Runtime.InteropServices;
using TypedIpc.Blobs;
using TypedIpc.Platform.Linux;

namespace TypedIpc.Tests.Blobs;

/// <summary>
/// What any local user can put under a blob's name in /dev/shm: a FIFO, a symbolic link, a directory, a file of
/// another user. Sweep, Write and Open each finish within a bound, with a clear exception or by skipping the thing,
/// and never remove it; the sweep also keeps a blob whose owner's liveness file it cannot read.
/// </summary>
[Collection(BlobSweepCollection.Name)]
public sealed class PlantedBlobFileTests : IDisposable
{
    private const int NobodyUid = 65534;
    // A planted file must be refused or skipped at the first look, not waited on (a FIFO opened for reading blocks
    // until a writer comes, that is for ever): 5 s only tells "returned" from "hangs", far beyond any cold start.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);
    private readonly List<string> _planted = [];
    private readonly BlobCleanup _blobs = new();

    public enum Plant
    {
        Fifo,
        Symlink,
        Directory,
        OtherUsersFile,
    }

    public enum Place
    {
        WrittenBlob,
        OpenedBlob,
        BlobBeingWritten,
        LivenessFile,
    }

    public static TheoryData<Plant, Place> NonFilesEverywhere => new()
    {
        { Plant.Fifo, Place.WrittenBlob }, { Plant.Fifo, Place.OpenedBlob }, { Plant.Fifo, Place.BlobBeingWritten }, { Plant.Fifo, Place.LivenessFile },
        { Plant.Symlink, Place.WrittenBlob }, { Plant.Symlink, Place.OpenedBlob }, { Plant.Symlink, Place.BlobBeingWritten }, { Plant.Symlink, Place.LivenessFile },
        { Plant.Directory, Place.WrittenBlob }, { Plant.Directory, Place.OpenedBlob }, { Plant.Directory, Place.BlobBeingWritten }, { Plant.Directory, Place.LivenessFile },
    };

    public static TheoryData<Place> EveryPlace => new() { Place.WrittenBlob, Place.OpenedBlob, Place.BlobBeingWritten, Place.LivenessFile };

    public void Dispose()
    {
        foreach (string path in _planted)
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path);
            }
            else
            {
                File.Delete(path);
            }
        }

        _blobs.Dispose();
    }

    [Theory]
    [MemberData(nameof(NonFilesEverywhere))]
    public void A_FIFO_symlink_or_directory_under_a_blob_name_is_an_exception_or_skipped_never_a_hang(Plant plant, Place place) =>
        CheckPlanted(plant, place);

    [Theory]
    [MemberData(nameof(EveryPlace))]
    public void NeedsRoot_another_users_file_under_a_blob_name_is_an_exception_or_skipped_never_a_hang(Place place)
    {
        Assert.True(LibC.GetEffectiveUserId() == 0, "this test plants a file of user 65534, which needs root (CI runs as root); it does not skip.");
        CheckPlanted(Plant.OtherUsersFile, place);
    }

    private void CheckPlanted(Plant plant, Place place)
    {
        string name = BlobFile.NewName();
        var exitedOwner = Guid.NewGuid(); // has no liveness file: an owner that exited
        string path = place switch
        {
            Place.WrittenBlob => BlobFile.PathFor(name),
            Place.OpenedBlob => BlobFile.OpenedPath(name, exitedOwner),
            Place.BlobBeingWritten => BlobFile.WritingPath(name, exitedOwner),
            _ => BlobFile.OwnerPath(exitedOwner),
        };
        PlantAt(path, plant, exitedOwner);
        // A blob file of ours that names the owner whose liveness file is planted: nobody can tell that owner exited.
        string ownedByUnknown = BlobFile.OpenedPath(BlobFile.NewName(), exitedOwner);
        if (place == Place.LivenessFile)
        {
            Track(ownedByUnknown);
            File.WriteAllBytes(ownedByUnknown, []);
        }

        WithinBound(SharedBlob.Sweep);
        Assert.True(File.Exists(path) || Directory.Exists(path), $"the sweep removed the {plant} planted at {path}");
        Assert.True(place != Place.LivenessFile || File.Exists(ownedByUnknown), "the sweep removed a blob whose owner's liveness it could not read");

        BlobRef written = WithinBound(() => _blobs.Track(SharedBlob.Write([1, 2, 3])));
        WithinBound(() =>
        {
            using SharedBlob opened = written.Open();
            return opened.Length;
        });

        Exception error = WithinBound(() => Record.Exception(() => new BlobRef(name, 3, 0).Open()));
        if (place == Place.WrittenBlob)
        {
            Assert.Contains(path, Assert.IsType<SharedMemoryException>(error).Message);
            Assert.True(File.Exists(path) || Directory.Exists(path), $"Open removed the {plant} planted at {path}");
        }
        else
        {
            Assert.IsAssignableFrom<TypedIpcException>(error);
        }
    }

    private void PlantAt(string path, Plant plant, Guid exitedOwner)
    {
        Track(path);
        switch (plant)
        {
            case Plant.Fifo:
                Run("mkfifo", "-m666", path);
                break;
            case Plant.Symlink:
                // A regular file of ours elsewhere: following the link would take it for the blob.
                string target = Path.Combine(Path.GetTempPath(), $"typedipc-test-link-target.{Guid.NewGuid():N}");
                Track(target);
                File.WriteAllBytes(target, LooksLikeABlobOf(exitedOwner));
                File.CreateSymbolicLink(path, target);
                break;
            case Plant.Directory:
                Directory.CreateDirectory(path);
                break;
            case Plant.OtherUsersFile:
                File.WriteAllBytes(path, LooksLikeABlobOf(exitedOwner));
                Run("chown", $"{NobodyUid}", path);
                break;
        }
    }

    /// <summary>The header of a written blob whose writer exited: what the sweep would remove, were it a blob of ours.</summary>
    private static byte[] LooksLikeABlobOf(Guid writer)
    {
        var header = new BlobHeader
        {
            Magic = BlobHeader.ExpectedMagic,
            LayoutVersion = BlobHeader.CurrentLayoutVersion,
            HeaderBytes = BlobHeader.Bytes,
            Writer = writer,
            Length = 3,
        };
        return [.. MemoryMarshal.AsBytes(new ReadOnlySpan<BlobHeader>(in header)), 1, 2, 3];
    }

    private void Track(string path) => _planted.Add(path);

    private static void Run(string command, params string[] arguments)
    {
        using Process process = Process.Start(command, arguments);
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{command} {string.Join(' ', arguments)} exited with {process.ExitCode}");
    }

    private static T WithinBound<T>(Func<T> action)
    {
        Task<T> task = Task.Run(action);
        Assert.True(Task.WaitAny([task], Bound) == 0, $"still running after {Bound.TotalSeconds} s: a planted file made it hang");
        return task.GetAwaiter().GetResult();
    }
}
