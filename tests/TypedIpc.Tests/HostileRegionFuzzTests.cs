using System.Diagnostics;
using CsCheck;
using TypedIpc.Internal;
using TypedIpc.Tests.Support;

namespace TypedIpc.Tests;

/// <summary>
/// A hostile writer with access to the mapping scribbles over the header, the process table and the slots of a
/// live queue, between operations with short timeouts. Each operation must return, throw a TypedIpcException, or
/// time out as asked: none may crash the process (a read outside the mapping would), hang, or throw anything else.
/// </summary>
public sealed class HostileRegionFuzzTests
{
    private const int MaxSize = 4;
    private const int Iterations = 2000;
    private static readonly QueueOptions Options = new() { MaxMessageBytes = 64, SpinDuration = TimeSpan.Zero };
    private static readonly TimeSpan OperationTimeout = TimeSpan.FromMilliseconds(5);

    // Generous against a loaded machine (2 cores, other test projects, GC pauses), yet far below "forever": an
    // operation that exceeds it did not time out as asked.
    private static readonly TimeSpan Overrun = TimeSpan.FromSeconds(20);

    // A case runs at most 24 operations; one that has not finished after this long hangs.
    private static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(60);

    // After one case hung, the others pass at once: CsCheck then reports the hanging case and its seed without
    // spending a minute on every case it tries while shrinking.
    private static volatile bool s_hung;

    private static readonly QueueGeometry Geometry = QueueGeometry.For(MaxSize, Options.MaxMessageBytes, null, QueueOptions.DefaultCapacityBytes);

    private abstract record Step;

    /// <summary>Random bytes at a random offset of the region.</summary>
    private sealed record Scribble(int Offset, byte[] Bytes) : Step;

    /// <summary>A plausible but forged slot: an item near the current head, either phase, any record place, start and length.</summary>
    private sealed record ForgeSlot(int Slot, int ItemFromHead, int Phase, bool InRing, uint Start, int Length) : Step;

    /// <summary>Head, Tail or Released moved by a forged amount, or the Tail locked or unlocked.</summary>
    private sealed record ForgePosition(int Word, long Delta) : Step;

    private sealed record Operation(OperationKind Kind, int MessageLength) : Step;

    private enum OperationKind
    {
        Put,
        Get,
        TryPut,
        TryGet,
        Count,
        OpenAnother,
    }

    private static readonly Gen<Step> StepGen = Gen.Frequency(
        (3, Gen.Select(Gen.Int[0, QueueHeader.Bytes - 1], Gen.Byte.Array[1, 16], (offset, bytes) => (Step)new Scribble(offset, bytes))),
        (1, Gen.Select(Gen.Int[QueueHeader.Bytes, (int)QueueGeometry.SlotsOffset - 1], Gen.Byte.Array[1, 16], (offset, bytes) => (Step)new Scribble(offset, bytes))),
        (3, Gen.Select(Gen.Int[(int)QueueGeometry.SlotsOffset, (int)Geometry.RegionBytes - 1], Gen.Byte.Array[1, 16], (offset, bytes) => (Step)new Scribble(offset, bytes))),
        (3, Gen.Select(Gen.Int[0, Geometry.SlotCount - 1], Gen.Int[-2 * MaxSize, 2 * MaxSize], Gen.Int[0, 1], Gen.Bool,
                Gen.OneOf(Gen.UInt[0, (uint)Geometry.DataLines * 2], Gen.UInt), Gen.OneOf(Gen.Int[-1, 200], Gen.Int))
            .Select((slot, item, phase, inRing, start, length) => (Step)new ForgeSlot(slot, item, phase, inRing, start, length))),
        (1, Gen.Select(Gen.Int[0, 2], Gen.OneOf(Gen.Long[-10, 10], Gen.Long), (word, delta) => (Step)new ForgePosition(word, delta))),
        (8, Gen.Select(Gen.Enum<OperationKind>(), Gen.Int[0, 80], (kind, length) => (Step)new Operation(kind, length))));

    [Fact]
    public void Operations_on_a_scribbled_region_return_throw_TypedIpc_exceptions_or_time_out_as_asked() =>
        Fuzz(length => new string('m', length));

    /// <summary>The same for an unmanaged message, which single puts and gets move by the protocol's lean raw path.</summary>
    [Fact]
    public void Operations_on_a_scribbled_region_of_unmanaged_messages_return_throw_TypedIpc_exceptions_or_time_out_as_asked() =>
        Fuzz(length => (long)length);

    /// <summary>Runs the cases on a queue of <typeparamref name="TMessage"/>; <paramref name="message"/> makes one from a size.</summary>
    private static void Fuzz<TMessage>(Func<int, TMessage> message) =>
        Gen.Select(Gen.Int[0, MaxSize], StepGen.Array[1, 24])
            .Sample((initialItems, steps) => RunWithWatchdog(initialItems, steps, message), iter: Iterations, threads: 1);

    private static void RunWithWatchdog<TMessage>(int initialItems, Step[] steps, Func<int, TMessage> message)
    {
        if (s_hung)
        {
            return;
        }

        // The name lives outside the watched body, so that its file is removed even when the body hangs.
        using var name = new TestQueueName("fuzz");
        try
        {
            Watchdog.Run($"fuzz case of {typeof(TMessage).Name} ({initialItems} items, steps {string.Join(", ", steps.Select(s => s.ToString()))})", CaseLimit,
                () => RunAgainstScribbledRegion(name, initialItems, steps, message));
        }
        catch (TimeoutException)
        {
            s_hung = true;
            throw;
        }
    }

    private static unsafe void RunAgainstScribbledRegion<TMessage>(TestQueueName name, int initialItems, Step[] steps, Func<int, TMessage> message)
    {
        using var queue = SharedQueue<TMessage>.Open(name, MaxSize, Options);
        for (int i = 0; i < initialItems; i++)
        {
            queue.Put(message(i));
        }

        using var region = new RegionView(name);
        var bytes = (byte*)region.Header;
        foreach (Step step in steps)
        {
            switch (step)
            {
                case Scribble scribble:
                    int length = (int)Math.Min(scribble.Bytes.Length, Geometry.RegionBytes - scribble.Offset);
                    scribble.Bytes.AsSpan(0, length).CopyTo(new Span<byte>(bytes + scribble.Offset, length));
                    break;
                case ForgeSlot forged:
                    // Located with the geometry the queue was created with: the header's copy may be scribbled already.
                    var slot = (Slot*)(bytes + QueueGeometry.SlotsOffset + (long)forged.Slot * Geometry.SlotBytes);
                    slot->Start = forged.Start;
                    slot->State = Packing.SlotState((uint)region.Header->Head + (uint)forged.ItemFromHead, (SlotPhase)forged.Phase, Packing.Record(forged.Length, forged.InRing));
                    break;
                case ForgePosition position:
                    ulong* word = position.Word switch
                    {
                        0 => &region.Header->Tail,
                        1 => &region.Header->Head,
                        _ => &region.Header->Released,
                    };
                    *word += (ulong)position.Delta;
                    break;
                case Operation operation:
                    RunWithinTimeout(queue, name, operation, message);
                    break;
            }
        }
    }

    private static void RunWithinTimeout<TMessage>(SharedQueue<TMessage> queue, string name, Operation operation, Func<int, TMessage> message)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            switch (operation.Kind)
            {
                case OperationKind.Put:
                    queue.Put(message(operation.MessageLength), timeout: OperationTimeout);
                    break;
                case OperationKind.Get:
                    queue.Get(timeout: OperationTimeout);
                    break;
                case OperationKind.TryPut:
                    queue.TryPut(message(operation.MessageLength));
                    break;
                case OperationKind.TryGet:
                    queue.TryGet(out _);
                    break;
                case OperationKind.Count:
                    Assert.InRange(queue.Count, 0, MaxSize);
                    break;
                case OperationKind.OpenAnother:
                    using (var another = SharedQueue<TMessage>.Open(name, MaxSize, Options))
                    {
                        another.TryGet(out _);
                    }

                    break;
            }
        }
        catch (TypedIpcException)
        {
            // Failing with a TypedIpc exception is an allowed outcome on a region a hostile writer scribbled over.
        }

        Assert.True(clock.Elapsed < OperationTimeout + Overrun, $"{operation} took {clock.Elapsed}, asked to give up after {OperationTimeout}.");
    }
}
