using MemoryPack;

namespace TypedIpc.Tests;

/// <summary>The tutorial's mixed messages — 'first', {'k': 'second'}, ['third'] — as one MemoryPack union.</summary>
[MemoryPackable]
[MemoryPackUnion(0, typeof(TextMessage))]
[MemoryPackUnion(1, typeof(DictionaryMessage))]
[MemoryPackUnion(2, typeof(ListMessage))]
public abstract partial record TutorialMessage;

[MemoryPackable]
public partial record TextMessage(string Text) : TutorialMessage;

[MemoryPackable]
public partial record DictionaryMessage(Dictionary<string, string> Entries) : TutorialMessage;

[MemoryPackable]
public partial record ListMessage(List<string> Items) : TutorialMessage;
