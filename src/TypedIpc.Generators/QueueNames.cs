using System.Linq;

namespace TypedIpc.Generators;

/// <summary>The runtime's queue-name rule, checked at compile time.</summary>
internal static class QueueNames
{
    private const int MaxLength = 200;

    /// <summary>1 to 200 characters of A-Z, a-z, 0-9, '.', '_', '-', not starting with '.' or '-', without "..".</summary>
    public static bool IsValid(string name) =>
        name.Length is > 0 and <= MaxLength
        && name.All(IsNameCharacter)
        && name[0] is not ('.' or '-')
        && !name.Contains("..");

    private static bool IsNameCharacter(char c) =>
        c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '_' or '-';
}
