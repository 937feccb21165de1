using System.Security.Cryptography;

namespace FilePaths;

internal static class Checksum
{
    /// <summary>The SHA-256 of a file's contents, in hexadecimal.</summary>
    public static string OfFile(string path)
    {
        using FileStream file = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(file));
    }
}
