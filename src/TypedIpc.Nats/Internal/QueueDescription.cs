using System.Globalization;

namespace TypedIpc.Nats.Internal;

/// <summary>
/// What every process must agree on about a queue, plus whether it is shut down, kept in the stream's
/// <c>Description</c> (nats-server 2.9 has no stream metadata). Format:
/// <c>typedipc-queue/1; fingerprint=…; maxsize=…; max-message-bytes=…; capacity-bytes=…; state=…; type=…</c>,
/// the type name last because it is the only field that may contain any character.
/// </summary>
internal sealed record QueueDescription(
    ulong Fingerprint, string TypeName, int MaxSize, int MaxMessageBytes, long CapacityBytes, QueueState State)
{
    private const string Prefix = "typedipc-queue/1; ";
    private const string TypeKey = "type=";

    public string Format() => string.Create(CultureInfo.InvariantCulture,
        $"{Prefix}fingerprint={Fingerprint:x16}; maxsize={MaxSize}; max-message-bytes={MaxMessageBytes}; " +
        $"capacity-bytes={CapacityBytes}; state={StateName(State)}; {TypeKey}{TypeName}");

    public static QueueDescription? TryParse(string? description)
    {
        if (description is null || !description.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        int typeAt = description.IndexOf("; " + TypeKey, StringComparison.Ordinal);
        if (typeAt < 0)
        {
            return null;
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string field in description[Prefix.Length..typeAt].Split("; "))
        {
            int equals = field.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                fields[field[..equals]] = field[(equals + 1)..];
            }
        }

        return fields.TryGetValue("fingerprint", out string? fingerprint)
            && ulong.TryParse(fingerprint, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong fingerprintValue)
            && fields.TryGetValue("maxsize", out string? maxsize) && int.TryParse(maxsize, CultureInfo.InvariantCulture, out int maxsizeValue)
            && fields.TryGetValue("max-message-bytes", out string? limit) && int.TryParse(limit, CultureInfo.InvariantCulture, out int limitValue)
            && fields.TryGetValue("capacity-bytes", out string? capacity) && long.TryParse(capacity, CultureInfo.InvariantCulture, out long capacityValue)
            && fields.TryGetValue("state", out string? state) && ParseState(state) is { } stateValue
                ? new QueueDescription(fingerprintValue, description[(typeAt + 2 + TypeKey.Length)..], maxsizeValue, limitValue, capacityValue, stateValue)
                : null;
    }

    /// <summary>What differs between the queue as it exists and as this process opens it; empty when they agree.</summary>
    public List<string> DifferencesFrom(QueueDescription wanted)
    {
        var differences = new List<string>();
        if (Fingerprint != wanted.Fingerprint)
        {
            differences.Add($"message type: it holds {TypeName} (schema fingerprint {Fingerprint:x16}), this process opens it " +
                $"with {wanted.TypeName} (schema fingerprint {wanted.Fingerprint:x16})");
        }

        if (MaxSize != wanted.MaxSize)
        {
            differences.Add($"maxsize: it was created with {MaxSize}, this process opens it with {wanted.MaxSize}");
        }

        if (MaxMessageBytes != wanted.MaxMessageBytes)
        {
            differences.Add($"MaxMessageBytes: it was created with {MaxMessageBytes}, this process opens it with {wanted.MaxMessageBytes}");
        }

        if (MaxSize == 0 && wanted.MaxSize == 0 && CapacityBytes != wanted.CapacityBytes)
        {
            differences.Add($"CapacityBytes: it was created with {CapacityBytes}, this process opens it with {wanted.CapacityBytes}");
        }

        return differences;
    }

    private static string StateName(QueueState state) => state switch
    {
        QueueState.Open => "open",
        QueueState.ShutDown => "shut-down",
        _ => "shut-down-immediate",
    };

    private static QueueState? ParseState(string state) => state switch
    {
        "open" => QueueState.Open,
        "shut-down" => QueueState.ShutDown,
        "shut-down-immediate" => QueueState.ShutDownImmediate,
        _ => null,
    };
}

internal enum QueueState
{
    Open,
    ShutDown,
    ShutDownImmediate,
}
