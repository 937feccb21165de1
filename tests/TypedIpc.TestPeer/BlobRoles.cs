using System.Globalization;
using TypedIpc;

namespace TypedIpc.TestPeer;

/// <summary>The peer's shared-blob roles; a reference travels on the command line and standard output as "name length checksum".</summary>
public static class BlobRoles
{
    public const string WriteAndHold = "blob-write-and-hold";
    public const string WriteAndExit = "blob-write-and-exit";
    public const string OpenAndHold = "blob-open-and-hold";

    /// <summary>The deterministic bytes a peer writes, so that the test can check every byte it reads back.</summary>
    public static byte[] Pattern(int length) => Enumerable.Range(0, length).Select(index => (byte)(index * 31 + 7)).ToArray();

    public static string Format(BlobRef blob) => string.Create(CultureInfo.InvariantCulture, $"{blob.Name} {blob.Length} {blob.Checksum}");

    public static BlobRef Parse(string text)
    {
        string[] parts = text.Trim().Split(' ');
        return new BlobRef(parts[0], long.Parse(parts[1], CultureInfo.InvariantCulture), ulong.Parse(parts[2], CultureInfo.InvariantCulture));
    }

    /// <summary>Runs a blob role; the arguments after the role are its length (to write) or its reference (to open).</summary>
    public static int Run(string role, string[] arguments)
    {
        switch (role)
        {
            case WriteAndExit:
                Console.WriteLine(Format(SharedBlob.Write(Pattern(int.Parse(arguments[0], CultureInfo.InvariantCulture)))));
                return 0;
            case WriteAndHold:
                Console.WriteLine(Format(SharedBlob.Write(Pattern(int.Parse(arguments[0], CultureInfo.InvariantCulture)))));
                Console.In.ReadLine();
                return 0;
            case OpenAndHold:
                using (SharedBlob blob = Parse(string.Join(' ', arguments)).Open())
                {
                    Console.WriteLine($"opened {blob.Length}");
                    Console.In.ReadLine();
                }

                return 0;
            default:
                Console.Error.WriteLine($"unknown blob role '{role}'");
                return 2;
        }
    }
}
