using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TypedIpc.Generators;

namespace TypedIpc.CodeFixes;

/// <summary>
/// A fix of a usage rule that edits type declarations of the flagged message type. Fix All collects the declarations
/// of every diagnostic of a document and edits each once, so that a container shared by two messages is edited once.
/// </summary>
public abstract class MessageTypeCodeFixProvider : CodeFixProvider
{
    private protected abstract string Title { get; }

    /// <summary>The code action's equivalence key; Fix All applies the fix of the same key everywhere.</summary>
    private protected abstract string EquivalenceKey { get; }

    /// <inheritdoc />
    public sealed override FixAllProvider GetFixAllProvider() =>
        FixAllProvider.Create(async (fixAllContext, document, diagnostics) => await FixAsync(document, diagnostics, fixAllContext.CancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public sealed override Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
        {
            context.RegisterCodeFix(
                CodeAction.Create(Title, cancellationToken => FixAsync(context.Document, ImmutableArray.Create(diagnostic), cancellationToken), EquivalenceKey),
                diagnostic);
        }

        return Task.CompletedTask;
    }

    /// <summary>The declarations to edit for the message type declared by <paramref name="message"/>.</summary>
    private protected abstract IEnumerable<TypeDeclarationSyntax> Targets(TypeDeclarationSyntax message);

    /// <summary>The edited form of <paramref name="declaration"/> (in its current form, after edits of nested declarations).</summary>
    private protected abstract TypeDeclarationSyntax Fix(TypeDeclarationSyntax declaration, SemanticModel model, KnownTypes known);

    private async Task<Document> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null || KnownTypes.Of(model.Compilation) is not { } known)
        {
            return document;
        }

        var targets = diagnostics
            .Select(diagnostic => root.FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<TypeDeclarationSyntax>())
            .Where(message => message is not null)
            .SelectMany(message => Targets(message!))
            .Distinct()
            .ToList();
        return document.WithSyntaxRoot(root.ReplaceNodes(targets, (_, current) => Fix(current, model, known)));
    }
}
