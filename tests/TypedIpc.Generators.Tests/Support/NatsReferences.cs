using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using TypedIpc.Nats;

namespace TypedIpc.Generators.Tests.Support;

/// <summary>
/// <see cref="TestCompilation.References"/> plus TypedIpc.Nats and the NATS client assemblies it depends on: a project
/// that references TypedIpc.Nats, for which the generator adds <c>OpenAsync</c> over NATS.
/// </summary>
internal static class NatsReferences
{
    public static ImmutableArray<MetadataReference> All { get; } = Load();

    private static ImmutableArray<MetadataReference> Load()
    {
        // NatsQueue's signatures use types from several NATS.Client.* assemblies; the compiler needs each of them.
        var natsAssemblies = new Dictionary<string, Assembly>(StringComparer.Ordinal);
        var pending = new Stack<Assembly>([typeof(NatsQueue<>).Assembly]);
        while (pending.TryPop(out var assembly))
        {
            if (!natsAssemblies.TryAdd(assembly.GetName().Name!, assembly))
            {
                continue;
            }

            foreach (var name in assembly.GetReferencedAssemblies().Where(name => name.Name!.StartsWith("NATS.", StringComparison.Ordinal)))
            {
                pending.Push(Assembly.Load(name));
            }
        }

        return TestCompilation.References.AddRange(natsAssemblies.Values.Select(assembly => MetadataReference.CreateFromFile(assembly.Location)));
    }
}
