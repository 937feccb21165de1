using System.Diagnostics.CodeAnalysis;
using MemoryPack;
using TypedIpc;

[assembly: CLSCompliant(false)]

// Plain structs are shapes users write; value equality is not what this project is about.
#pragma warning disable CA1815
namespace MessageShapes.Classes
{
    /// <summary>A class with every attribute setting.</summary>
    [IpcQueue(16, Name = "shapes.jobs", MaxMessageBytes = 8192), MemoryPackable]
    public partial class Job
    {
        /// <summary>Where the input is.</summary>
        public string Path { get; set; } = "";
    }

    /// <summary>A positional record.</summary>
    /// <param name="Path">Where the input is.</param>
    /// <param name="Priority">Higher goes first.</param>
    [IpcQueue(maxsize: 3), MemoryPackable]
    public partial record Work(string Path, int Priority);

    /// <summary>A struct.</summary>
    [IpcQueue, MemoryPackable]
    public partial struct Tick
    {
        /// <summary>When.</summary>
        public long At { get; set; }
    }

    /// <summary>A record struct.</summary>
    /// <param name="X">Across.</param>
    /// <param name="Y">Down.</param>
    [IpcQueue(maxsize: 100), MemoryPackable]
    public partial record struct Point(int X, int Y);

    /// <summary>A readonly struct.</summary>
    [IpcQueue, MemoryPackable]
    public readonly partial struct Sample
    {
        /// <summary>Takes the value.</summary>
        /// <param name="value">The value.</param>
        public Sample(double value) => Value = value;

        /// <summary>The value.</summary>
        public double Value { get; }
    }

    /// <summary>An internal message.</summary>
    /// <param name="Path">Where the input is.</param>
    [IpcQueue, MemoryPackable]
    internal sealed partial record Secret(string Path);

    /// <summary>An obsolete message.</summary>
    /// <param name="Path">Where the input is.</param>
    [Obsolete("Use Work.")]
    [IpcQueue, MemoryPackable]
    public partial record OldWork(string Path);

    /// <summary>A message whose use is an error.</summary>
    /// <param name="Path">Where the input is.</param>
    [Obsolete("Gone; use Work.", error: true)]
    [IpcQueue, MemoryPackable]
    public partial record GoneWork(string Path);

    /// <summary>An experimental message.</summary>
    /// <param name="Path">Where the input is.</param>
    [Experimental("SHAPES001")]
    [IpcQueue, MemoryPackable]
    public partial record NewWork(string Path);

    /// <summary>Adds to the generated queue.</summary>
    public sealed partial class WorkQueue
    {
        /// <summary>Puts a job for <paramref name="path"/> at priority 0.</summary>
        /// <param name="path">Where the input is.</param>
        public void PutPath(string path) => Put(new Work(path, 0));
    }
}

namespace MessageShapes.Unions
{
    /// <summary>A class union.</summary>
    [IpcQueue(maxsize: 3), MemoryPackable]
    [MemoryPackUnion(0, typeof(TextMessage))]
    [MemoryPackUnion(1, typeof(NumberMessage))]
    public abstract partial class Message;

    /// <summary>A case.</summary>
    [MemoryPackable]
    public sealed partial class TextMessage : Message
    {
        /// <summary>The text.</summary>
        public string Text { get; set; } = "";
    }

    /// <summary>A case.</summary>
    [MemoryPackable]
    public sealed partial class NumberMessage : Message
    {
        /// <summary>The number.</summary>
        public int Number { get; set; }
    }

    /// <summary>An interface union (internal: MemoryPack's formatter for a public one has no XML docs, CS1591).</summary>
    [IpcQueue, MemoryPackable]
    [MemoryPackUnion(0, typeof(Circle))]
    internal partial interface IShape;

    /// <summary>A case.</summary>
    [MemoryPackable]
    internal sealed partial class Circle : IShape
    {
        /// <summary>The radius.</summary>
        public double Radius { get; set; }
    }
}

namespace MessageShapes.Nested
{
    /// <summary>Containers at depth.</summary>
    public static partial class Pipeline
    {
        /// <summary>A stage.</summary>
        internal partial struct Stage
        {
            /// <summary>A step.</summary>
            internal sealed partial class Step
            {
                /// <summary>A nested message.</summary>
                /// <param name="Path">Where the input is.</param>
                [IpcQueue(maxsize: 8), MemoryPackable]
                internal sealed partial record Job(string Path);
            }
        }
    }
}
