using System.Collections.Generic;
using System.Composition;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TypedIpc.Generators;

namespace TypedIpc.CodeFixes;

/// <summary>Fixes TIPC101: adds <c>partial</c> to the message type and to every type it is nested in that lacks it.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakePartialCodeFixProvider)), Shared]
public sealed class MakePartialCodeFixProvider : MessageTypeCodeFixProvider
{
    /// <summary>The equivalence key of "make partial".</summary>
    public const string Key = "TIPC101.MakePartial";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.NotPartial.Id);

    private protected override string Title => "Make the type and its containing types partial";

    private protected override string EquivalenceKey => Key;

    private protected override IEnumerable<TypeDeclarationSyntax> Targets(TypeDeclarationSyntax message) =>
        message.AncestorsAndSelf().OfType<TypeDeclarationSyntax>().Where(declaration => !declaration.Modifiers.Any(SyntaxKind.PartialKeyword));

    /// <summary><c>partial</c> goes last among the modifiers, right before the keyword, and takes the keyword's indentation when it is the only one.</summary>
    private protected override TypeDeclarationSyntax Fix(TypeDeclarationSyntax declaration, SemanticModel model, KnownTypes known)
    {
        if (declaration.Modifiers.Count > 0)
        {
            return declaration.AddModifiers(SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space));
        }

        var keyword = declaration.Keyword;
        var partialKeyword = SyntaxFactory.Token(keyword.LeadingTrivia, SyntaxKind.PartialKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space));
        return declaration.WithKeyword(keyword.WithLeadingTrivia()).WithModifiers(SyntaxFactory.TokenList(partialKeyword));
    }
}
