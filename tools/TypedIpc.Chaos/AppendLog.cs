using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace TypedIpc.Chaos;

/// <summary>
/// A file of fixed-size records, each handed to the kernel (pwrite) before <see cref="Append"/> returns: a
/// SIGKILL right after loses nothing that was appended, so the logs are the ground truth of a run.
/// </summary>
public sealed class AppendLog : IDisposable
{
    private readonly SafeFileHandle _handle;
    private long _offset;

    public AppendLog(string path)
    {
        _handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write);
    }

    public void Append(ReadOnlySpan<byte> record)
    {
        RandomAccess.Write(_handle, record, _offset);
        _offset += record.Length;
    }

    public void Dispose() => _handle.Dispose();

    /// <summary>The bytes of a log; none when its process was killed before it created the file.</summary>
    public static byte[] ReadAllBytes(string path) => File.Exists(path) ? File.ReadAllBytes(path) : [];
}

/// <summary>What a producer logs after each Put returned: the message's sequence.</summary>
public static class ProducerRecord
{
    public const int Bytes = 8;

    public static void Write(Span<byte> record, long sequence) => BinaryPrimitives.WriteInt64LittleEndian(record, sequence);

    /// <summary>The sequences in a producer's log; a record cut short by a kill is ignored.</summary>
    public static long[] ReadAll(string path)
    {
        byte[] bytes = AppendLog.ReadAllBytes(path);
        var sequences = new long[bytes.Length / Bytes];
        for (int i = 0; i < sequences.Length; i++)
        {
            sequences[i] = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(i * Bytes));
        }

        return sequences;
    }
}

/// <summary>What a consumer logs for each message it got: sender, sequence, whether it was intact, and when.</summary>
public readonly record struct ConsumerRecord(int Producer, bool Intact, long Sequence, long Timestamp)
{
    public const int Bytes = 24;

    /// <summary>Logged for a message the queue reported as corrupted (MessageCorruptedException).</summary>
    public static ConsumerRecord Unreadable(long timestamp) => new(-2, false, -1, timestamp);

    public void Write(Span<byte> record)
    {
        BinaryPrimitives.WriteInt32LittleEndian(record, Producer);
        BinaryPrimitives.WriteInt32LittleEndian(record[4..], Intact ? 1 : 0);
        BinaryPrimitives.WriteInt64LittleEndian(record[8..], Sequence);
        BinaryPrimitives.WriteInt64LittleEndian(record[16..], Timestamp);
    }

    /// <summary>The records in a consumer's log; a record cut short by a kill is ignored.</summary>
    public static ConsumerRecord[] ReadAll(string path)
    {
        byte[] bytes = AppendLog.ReadAllBytes(path);
        var records = new ConsumerRecord[bytes.Length / Bytes];
        for (int i = 0; i < records.Length; i++)
        {
            ReadOnlySpan<byte> record = bytes.AsSpan(i * Bytes, Bytes);
            records[i] = new ConsumerRecord(
                BinaryPrimitives.ReadInt32LittleEndian(record),
                BinaryPrimitives.ReadInt32LittleEndian(record[4..]) != 0,
                BinaryPrimitives.ReadInt64LittleEndian(record[8..]),
                BinaryPrimitives.ReadInt64LittleEndian(record[16..]));
        }

        return records;
    }
}
