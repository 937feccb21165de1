using TypedIpc.TestPeer;

namespace TypedIpc.Hosting.Tests.Support;

/// <summary>Handles a message by recording it; waits for <see cref="Handled.Gate"/> first from sequence <see cref="HandlerSettings.GateFrom"/> on.</summary>
public sealed class RecordingHandler(Handled handled, HandlerSettings settings, ScopeProbe scope) : IIpcMessageHandler<Numbered>
{
    public async Task HandleAsync(Numbered message, CancellationToken cancellationToken)
    {
        scope.Use();
        handled.Begin();
        try
        {
            if (message.Sequence >= settings.GateFrom)
            {
                await handled.Gate.Task.WaitAsync(cancellationToken);
            }
            else
            {
                await Task.Yield();
            }

            if (message.Sequence % 2 == 1 && settings.FailOdd)
            {
                throw new InvalidOperationException($"refusing odd message {message.Sequence}");
            }
        }
        finally
        {
            handled.End(message.Sequence);
        }
    }
}

/// <summary>How the test handlers behave in one host.</summary>
public sealed class HandlerSettings
{
    /// <summary>Messages from this sequence on wait for the gate.</summary>
    public long GateFrom { get; init; } = long.MaxValue;

    /// <summary>Messages of odd sequence throw (after being recorded).</summary>
    public bool FailOdd { get; init; }
}

/// <summary>A scoped service: counts the scopes that used it and were disposed.</summary>
public sealed class ScopeProbe(ScopeCounts counts) : IDisposable
{
    private int _uses;

    public void Use()
    {
        if (Interlocked.Increment(ref _uses) > 1)
        {
            Interlocked.Increment(ref counts.SharedScopes);
        }
    }

    public void Dispose() => Interlocked.Increment(ref counts.DisposedScopes);
}

public sealed class ScopeCounts
{
    public int DisposedScopes;

    public int SharedScopes;
}
