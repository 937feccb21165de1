using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TypedIpc.Generators;

namespace TypedIpc.CodeFixes;

/// <summary>
/// Fixes TIPC102: adds <c>[MemoryPackable]</c> on its own line after the message type's attributes, qualified as
/// <c>[MemoryPack.MemoryPackable]</c> where <c>using MemoryPack;</c> is not in scope.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddMemoryPackableCodeFixProvider)), Shared]
public sealed class AddMemoryPackableCodeFixProvider : MessageTypeCodeFixProvider
{
    /// <summary>The equivalence key of "add [MemoryPackable]".</summary>
    public const string Key = "TIPC102.AddMemoryPackable";

    private const string ShortName = "MemoryPackable";
    private const string QualifiedName = "MemoryPack.MemoryPackable";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.NotMemoryPackable.Id);

    private protected override string Title => "Add [MemoryPackable]";

    private protected override string EquivalenceKey => Key;

    private protected override IEnumerable<TypeDeclarationSyntax> Targets(TypeDeclarationSyntax message) => new[] { message };

    private protected override TypeDeclarationSyntax Fix(TypeDeclarationSyntax declaration, SemanticModel model, KnownTypes known)
    {
        var inScope = model.LookupNamespacesAndTypes(declaration.SpanStart, name: ShortName + "Attribute")
            .Any(symbol => SymbolEqualityComparer.Default.Equals(symbol, known.MemoryPackableAttribute));
        var attribute = SyntaxFactory.Attribute(SyntaxFactory.ParseName(inScope ? ShortName : QualifiedName));

        // The new list sits between the last attribute list (which ends the line) and the modifiers, so it takes their indentation.
        var next = declaration.Modifiers.Count > 0 ? declaration.Modifiers[0] : declaration.Keyword;
        var endOfLine = declaration.AttributeLists.LastOrDefault()?.GetTrailingTrivia() ?? SyntaxFactory.TriviaList(SyntaxFactory.CarriageReturnLineFeed);
        var list = SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(attribute))
            .WithLeadingTrivia(next.LeadingTrivia)
            .WithTrailingTrivia(endOfLine);
        return declaration.AddAttributeLists(list);
    }
}
