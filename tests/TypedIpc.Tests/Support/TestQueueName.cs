namespace TypedIpc.Tests.Support;

/// <summary>A queue name no other test uses; disposing it removes the queue's file even when the test failed.</summary>
public sealed class TestQueueName : IDisposable
{
    public TestQueueName(string purpose = "test")
    {
        Value = $"typedipc-tests.{purpose}.{Guid.NewGuid():N}";
    }

    public string Value { get; }

    public string Path => $"/dev/shm/typedipc.{Value}";

    public static implicit operator string(TestQueueName name) => name.Value;

    public override string ToString() => Value;

    public void Dispose() => File.Delete(Path);
}
