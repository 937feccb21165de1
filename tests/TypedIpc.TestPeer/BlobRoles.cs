using System.Globalization;
using TypedIpc;

namespace TypedIpc.TestPeer;

/// <summary>The peer's shared-blob roles; a reference travels on the command line and standard output as "name length checksum".</summary>
public static class BlobRoles
{
    public const string WriteAndHold = "blob-write-and-hold";
    public const string WriteAndExit = "blob-write-and-exit";
    public const string OpenAndHold = "blob-open-and-hold";
    public const string WriteFromInput = "blob-write-from-input";
    public const string OpenOnSignal = "blob-open-on-signal";

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
            case WriteFromInput:
                // The blob's file exists from before the first read, so "writing" means: a blob is being written now.
                using (var input = new AnnouncingStream(Console.OpenStandardInput(), "writing"))
                {
                    Console.WriteLine(Format(SharedBlob.Write(input)));
                }

                return 0;
            case OpenOnSignal:
                return OpenWhenTold(Parse(string.Join(' ', arguments)));
            default:
                Console.Error.WriteLine($"unknown blob role '{role}'");
                return 2;
        }
    }

    // Prints "ready", opens the blob when a line arrives, prints "opened <length>" or "<exception type> <consumer pid>",
    // and holds what it opened until the next line.
    private static int OpenWhenTold(BlobRef reference)
    {
        Console.WriteLine("ready");
        Console.In.ReadLine();
        try
        {
            using SharedBlob blob = reference.Open();
            Console.WriteLine($"opened {blob.Length}");
            Console.In.ReadLine();
        }
        catch (BlobAlreadyConsumedException e)
        {
            Console.WriteLine($"{nameof(BlobAlreadyConsumedException)} {e.ConsumerProcessId}");
        }

        return 0;
    }

    /// <summary>Passes reads through, printing a line before the first one.</summary>
    private sealed class AnnouncingStream(Stream inner, string announcement) : Stream
    {
        private bool _announced;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (!_announced)
            {
                _announced = true;
                Console.WriteLine(announcement);
            }

            return inner.Read(buffer, offset, count);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
