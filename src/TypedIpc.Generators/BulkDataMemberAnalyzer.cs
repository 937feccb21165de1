using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace TypedIpc.Generators;

/// <summary>
/// TIPC001: a serialized member of an <c>[IpcQueue]</c> message type, or of the <c>[MemoryPackable]</c> types and union
/// cases it contains, carries bulk data (see <see cref="BulkData"/>) where a path or a reference belongs.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BulkDataMemberAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.BulkDataMember);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterSymbolAction(AnalyzeType, SymbolKind.NamedType);
    }

    private static void AnalyzeType(SymbolAnalysisContext context)
    {
        var messageType = (INamedTypeSymbol)context.Symbol;
        if (!messageType.HasAttribute(KnownNames.IpcQueueAttribute))
        {
            return;
        }

        foreach (var root in SerializedTypes(messageType))
        {
            foreach (var member in MemoryPackMembers.Of(root))
            {
                var visited = new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default) { messageType, root };
                if (FindBulk(MemoryPackMembers.TypeOf(member), root.Name + "." + member.Name, visited) is { } finding)
                {
                    var location = member.Locations.FirstOrDefault(l => l.IsInSource) ?? messageType.Locations.FirstOrDefault();
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BulkDataMember, location, finding.Path, finding.Description));
                }
            }
        }
    }

    /// <summary>The types whose members make up the message: the cases of a union, else the type itself.</summary>
    private static IEnumerable<INamedTypeSymbol> SerializedTypes(INamedTypeSymbol type)
    {
        var unionCases = MemoryPackMembers.UnionCases(type);
        return unionCases.IsEmpty ? new[] { type } : unionCases.Select(unionCase => unionCase.Case);
    }

    /// <summary>The first bulk-data member reachable from a value of <paramref name="type"/> at <paramref name="path"/>.</summary>
    private static (string Path, string Description)? FindBulk(ITypeSymbol type, string path, HashSet<ITypeSymbol> visited)
    {
        if (BulkData.Describe(type) is { } description)
        {
            return (path, description);
        }

        var nested = type switch
        {
            IArrayTypeSymbol array => new[] { array.ElementType },
            INamedTypeSymbol { IsGenericType: true } generic => generic.TypeArguments.ToArray(),
            _ => System.Array.Empty<ITypeSymbol>(),
        };
        foreach (var element in nested)
        {
            if (FindBulk(element, path, visited) is { } found)
            {
                return found;
            }
        }

        if (type is not INamedTypeSymbol named || !named.IsMemoryPackable() || !visited.Add(named))
        {
            return null;
        }

        foreach (var serializedType in SerializedTypes(named))
        {
            foreach (var member in MemoryPackMembers.Of(serializedType))
            {
                if (FindBulk(MemoryPackMembers.TypeOf(member), path + "." + member.Name, visited) is { } found)
                {
                    return found;
                }
            }
        }

        return null;
    }
}
