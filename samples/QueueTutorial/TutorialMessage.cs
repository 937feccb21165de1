using MemoryPack;
using TypedIpc;

namespace QueueTutorial;

/// <summary>
/// What the tutorial puts on its queue: a Python queue takes any object, so the C# queue takes a MemoryPack union
/// of the shapes the tutorial uses. <c>[IpcQueue(maxsize: 3)]</c> is Python's <c>Queue(3)</c>: the generator
/// emits <c>TutorialMessageQueue</c>, which holds at most 3 messages.
/// </summary>
[IpcQueue(maxsize: 3)]
[MemoryPackable]
[MemoryPackUnion(0, typeof(TextMessage))]
[MemoryPackUnion(1, typeof(DictionaryMessage))]
[MemoryPackUnion(2, typeof(ListMessage))]
[MemoryPackUnion(3, typeof(NumberMessage))]
public abstract partial record TutorialMessage
{
    /// <summary>How Python prints the same value, so the output reads like the tutorial's.</summary>
    public abstract string ToPython();
}

/// <summary>Python's <c>'first'</c>.</summary>
[MemoryPackable]
public sealed partial record TextMessage(string Text) : TutorialMessage
{
    public override string ToPython() => $"'{Text}'";
}

/// <summary>Python's <c>{'k': 'second'}</c>.</summary>
[MemoryPackable]
public sealed partial record DictionaryMessage(Dictionary<string, string> Entries) : TutorialMessage
{
    public override string ToPython() => $"{{{string.Join(", ", Entries.Select(entry => $"'{entry.Key}': '{entry.Value}'"))}}}";
}

/// <summary>Python's <c>['third']</c>.</summary>
[MemoryPackable]
public sealed partial record ListMessage(List<string> Items) : TutorialMessage
{
    public override string ToPython() => $"[{string.Join(", ", Items.Select(item => $"'{item}'"))}]";
}

/// <summary>Python's <c>4</c>.</summary>
[MemoryPackable]
public sealed partial record NumberMessage(int Value) : TutorialMessage
{
    public override string ToPython() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
