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
        context.RegisterCompilationStartAction(start =>
        {
            if (KnownTypes.Of(start.Compilation) is { } known)
            {
                start.RegisterSymbolAction(symbolContext => AnalyzeType(symbolContext, known), SymbolKind.NamedType);
            }
        });
    }

    private static void AnalyzeType(SymbolAnalysisContext context, KnownTypes known)
    {
        var messageType = (INamedTypeSymbol)context.Symbol;
        if (!KnownTypes.HasAttribute(messageType, known.IpcQueueAttribute))
        {
            return;
        }

        // A member of a union's base belongs to every case; report it once.
        var reported = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach (var root in SerializedTypes(known, messageType))
        {
            foreach (var member in MemoryPackMembers.Of(known, root))
            {
                var visited = new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default) { messageType, root };
                if (!reported.Contains(member)
                    && FindBulk(known, MemoryPackMembers.TypeOf(member), member.ContainingType.Name + "." + member.Name, visited) is { } finding)
                {
                    reported.Add(member);
                    var location = member.Locations.FirstOrDefault(l => l.IsInSource) ?? messageType.Locations.FirstOrDefault();
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.BulkDataMember, location, finding.Path, finding.Description));
                }
            }
        }
    }

    /// <summary>The types whose members make up the message: the cases of a union, else the type itself.</summary>
    private static IEnumerable<INamedTypeSymbol> SerializedTypes(KnownTypes known, INamedTypeSymbol type)
    {
        var unionCases = MemoryPackMembers.UnionCases(known, type);
        return unionCases.IsEmpty ? new[] { type } : unionCases.Select(unionCase => unionCase.Case);
    }

    /// <summary>The first bulk-data member reachable from a value of <paramref name="type"/> at <paramref name="path"/>.</summary>
    private static (string Path, string Description)? FindBulk(KnownTypes known, ITypeSymbol type, string path, HashSet<ITypeSymbol> visited)
    {
        if (BulkData.Describe(known, type) is { } description)
        {
            return (path, description);
        }

        var nested = type switch
        {
            IArrayTypeSymbol array => new[] { array.ElementType },
            INamedTypeSymbol named => named.TypeArguments.ToArray(),
            _ => System.Array.Empty<ITypeSymbol>(),
        };
        foreach (var element in nested)
        {
            if (FindBulk(known, element, path, visited) is { } found)
            {
                return found;
            }
        }

        if (type is not INamedTypeSymbol memoryPackable || !known.IsMemoryPackable(memoryPackable) || !visited.Add(memoryPackable))
        {
            return null;
        }

        foreach (var serializedType in SerializedTypes(known, memoryPackable))
        {
            foreach (var member in MemoryPackMembers.Of(known, serializedType))
            {
                if (FindBulk(known, MemoryPackMembers.TypeOf(member), path + "." + member.Name, visited) is { } found)
                {
                    return found;
                }
            }
        }

        return null;
    }
}
