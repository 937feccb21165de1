using System.Reflection;
using Xunit.Abstractions;

namespace TypedIpc.Generators.Tests.Support;

/// <summary>
/// Compares generated source with its checked-in baseline, <c>Snapshots/&lt;test&gt;.&lt;file&gt;.verified.cs</c>.
/// With <c>TYPEDIPC_UPDATE_SNAPSHOTS=1</c> it rewrites the baseline instead, for a reviewer to diff and check in.
/// </summary>
internal static class Snapshot
{
    private const string UpdateVariable = "TYPEDIPC_UPDATE_SNAPSHOTS";

    private static readonly string SnapshotDirectory = Path.Combine(
        typeof(Snapshot).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ProjectDirectory").Value!,
        "Snapshots");

    public static void Verify(string testName, string hintName, string actual, ITestOutputHelper output)
    {
        var path = Path.Combine(SnapshotDirectory, $"{testName}.{Path.GetFileNameWithoutExtension(hintName)}.verified.cs");

        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            Directory.CreateDirectory(SnapshotDirectory);
            File.WriteAllText(path, actual);
            output.WriteLine($"{UpdateVariable}=1: rewrote the baseline {path}; review the diff before checking it in.");
            return;
        }

        Assert.True(
            File.Exists(path),
            $"No baseline at {path}. Create it with `{UpdateVariable}=1 dotnet test tests/TypedIpc.Generators.Tests`, review it and check it in.");
        var expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        if (expected != actual)
        {
            output.WriteLine($"The generated {hintName} differs from {path}. If the change is intended, rerun with {UpdateVariable}=1 and review the diff.");
        }

        Assert.Equal(expected, actual);
    }
}
