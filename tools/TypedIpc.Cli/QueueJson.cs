using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace TypedIpc.Cli;

/// <summary>The JSON of <c>list --json</c> and <c>inspect --json</c>, written field by field (no reflection, trim- and AOT-safe).</summary>
public static class QueueJson
{
    // Relaxed escaping: the output is read by scripts and people, never embedded in HTML, so quotes in messages stay readable.
    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes an array of queues, or with blobs an object <c>{ "queues": [...], "blobs": [...] }</c>.</summary>
    public static void WriteList(Stream output, IReadOnlyList<QueueInfo> queues, IReadOnlyList<SharedBlobInfo>? blobs)
    {
        using var json = new Utf8JsonWriter(output, Options);
        if (blobs is null)
        {
            WriteQueues(json, queues);
        }
        else
        {
            json.WriteStartObject();
            json.WritePropertyName("queues");
            WriteQueues(json, queues);
            json.WriteStartArray("blobs");
            foreach (SharedBlobInfo blob in blobs)
            {
                WriteBlob(json, blob);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        EndDocument(json, output);
    }

    public static void WriteQueue(Stream output, QueueInfo queue)
    {
        using var json = new Utf8JsonWriter(output, Options);
        WriteQueue(json, queue);
        EndDocument(json, output);
    }

    /// <summary>Ends the document with a newline, as text output should.</summary>
    private static void EndDocument(Utf8JsonWriter json, Stream output)
    {
        json.Flush();
        output.WriteByte((byte)'\n');
    }

    private static void WriteQueues(Utf8JsonWriter json, IReadOnlyList<QueueInfo> queues)
    {
        json.WriteStartArray();
        foreach (QueueInfo queue in queues)
        {
            WriteQueue(json, queue);
        }

        json.WriteEndArray();
    }

    private static void WriteQueue(Utf8JsonWriter json, QueueInfo queue)
    {
        json.WriteStartObject();
        json.WriteString("name", queue.Name);
        json.WriteString("path", queue.Path);
        if (queue.Error is not null)
        {
            json.WriteString("error", queue.Error);
            json.WriteEndObject();
            return;
        }

        json.WriteString("typeName", queue.TypeName);
        json.WriteString("schemaFingerprint", $"0x{queue.SchemaFingerprint.ToString("X16", CultureInfo.InvariantCulture)}");
        json.WriteNumber("maxSize", queue.MaxSize);
        json.WriteNumber("capacity", queue.Capacity);
        json.WriteNumber("maxMessageBytes", queue.MaxMessageBytes);
        json.WriteNumber("count", queue.Count);
        json.WriteNumber("bytesUsed", queue.BytesUsed);
        json.WriteNumber("bytesReserved", queue.BytesReserved);
        json.WriteNumber("bytesCapacity", queue.BytesCapacity);
        json.WriteBoolean("shutDown", queue.IsShutDown);
        json.WriteBoolean("joinable", queue.IsJoinable);
        if (queue.IsJoinable)
        {
            json.WriteNumber("unfinishedTasks", queue.UnfinishedTasks!.Value);
            json.WriteNumber("abandonedTasks", queue.AbandonedTasks!.Value);
        }

        json.WriteNumber("itemsPut", queue.ItemsPut);
        json.WriteNumber("itemsTaken", queue.ItemsTaken);
        json.WriteBoolean("abandoned", queue.IsAbandoned);
        json.WriteStartArray("attached");
        foreach (QueueAttachment attached in queue.Attached)
        {
            json.WriteStartObject();
            json.WriteNumber("entry", attached.Entry);
            json.WriteNumber("pid", attached.Pid);
            json.WriteBoolean("alive", attached.IsAlive);
            json.WriteString("activity", CamelCase(attached.Activity.ToString()));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("claims");
        foreach (QueueClaim claim in queue.Claims)
        {
            json.WriteStartObject();
            json.WriteString("kind", CamelCase(claim.Kind.ToString()));
            json.WriteNumber("firstItem", claim.FirstItem);
            json.WriteNumber("itemCount", claim.ItemCount);
            WriteNumberOrNull(json, "entry", claim.Entry);
            WriteNumberOrNull(json, "pid", claim.Pid);
            json.WriteBoolean("ownerAlive", claim.OwnerAlive);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteBlob(Utf8JsonWriter json, SharedBlobInfo blob)
    {
        json.WriteStartObject();
        json.WriteString("name", blob.Name);
        json.WriteString("path", blob.Path);
        json.WriteString("state", CamelCase(blob.State.ToString()));
        WriteNumberOrNull(json, "bytes", blob.Bytes);
        WriteNumberOrNull(json, "ownerPid", blob.OwnerPid);
        json.WriteBoolean("ownerAlive", blob.OwnerAlive);
        json.WriteEndObject();
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } number)
        {
            json.WriteNumber(name, number);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static string CamelCase(string pascalCase) => string.Concat(char.ToLowerInvariant(pascalCase[0]).ToString(), pascalCase[1..]);
}
