using System.Reflection;
using NATS.Client.Core;

namespace TypedIpc.Nats.Tests;

/// <summary>The public shape issue 12 names as a contract: what NatsQueue implements and how it is opened.</summary>
public sealed class NatsQueueContractTests
{
    [Fact]
    public void NatsQueue_is_an_IIpcQueue_and_IAsyncDisposable()
    {
        Assert.True(typeof(IIpcQueue<int>).IsAssignableFrom(typeof(NatsQueue<int>)));
        Assert.True(typeof(IAsyncDisposable).IsAssignableFrom(typeof(NatsQueue<int>)));
    }

    [Fact]
    public void OpenAsync_takes_client_name_maxsize_0_options_null_and_a_cancellation_token_and_returns_a_ValueTask_of_the_queue()
    {
        MethodInfo openAsync = Assert.Single(typeof(NatsQueue<int>).GetMethods(BindingFlags.Public | BindingFlags.Static), method => method.Name == "OpenAsync");

        Assert.Equal(typeof(ValueTask<NatsQueue<int>>), openAsync.ReturnType);
        ParameterInfo[] parameters = openAsync.GetParameters();
        Assert.Equal(
            [(typeof(INatsClient), "client"), (typeof(string), "name"), (typeof(int), "maxsize"), (typeof(NatsQueueOptions), "options"), (typeof(CancellationToken), "cancellationToken")],
            parameters.Select(parameter => (parameter.ParameterType, parameter.Name!)));
        Assert.False(parameters[0].HasDefaultValue || parameters[1].HasDefaultValue);
        Assert.Equal(0, parameters[2].DefaultValue);
        Assert.Null(parameters[3].DefaultValue);
        Assert.True(parameters[4].HasDefaultValue);
    }
}
