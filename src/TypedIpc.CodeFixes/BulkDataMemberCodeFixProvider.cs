using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Simplification;
using TypedIpc.Generators;

namespace TypedIpc.CodeFixes;

/// <summary>
/// Fixes TIPC001 on a <c>byte[]</c>, <c>Memory&lt;byte&gt;</c>, <c>ReadOnlyMemory&lt;byte&gt;</c> or <c>Stream</c>
/// member in two ways:
/// <list type="bullet">
/// <item>send a <c>BlobRef</c>: the member becomes a <c>BlobRef</c>, and every value fed to it in the same document
/// is wrapped in <c>SharedBlob.Write(...)</c>;</item>
/// <item>send the file's path, offered when every value fed to it in the document is <c>File.ReadAllBytes(path)</c>:
/// the member becomes a <c>string</c> and receives <c>path</c>.</item>
/// </list>
/// A property or field initializer with data is such a value too; an empty one (<c>Array.Empty&lt;byte&gt;()</c>, <c>null</c>)
/// is dropped, and a member of a class left without any value becomes nullable rather than break CS8618.
/// Both can be applied to every diagnostic of a document, project or solution at once.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(BulkDataMemberCodeFixProvider)), Shared]
public sealed class BulkDataMemberCodeFixProvider : CodeFixProvider
{
    /// <summary>The equivalence key of "send a BlobRef"; Fix All applies the fix of the same key everywhere.</summary>
    public const string BlobRefKey = "TIPC001.BlobRef";

    /// <summary>The equivalence key of "send the file's path".</summary>
    public const string FilePathKey = "TIPC001.FilePath";

    private const string BlobRefTitle = "Send a BlobRef instead of the bytes";
    private const string FilePathTitle = "Send the file's path instead of its bytes";

    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.BulkDataMember.Id);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null || KnownTypes.Of(model.Compilation) is not { } known)
        {
            return;
        }

        foreach (var diagnostic in context.Diagnostics)
        {
            if (FlaggedMember.Find(root, model, known, diagnostic.Location.SourceSpan, context.CancellationToken) is not { } member)
            {
                continue;
            }

            // An initializer is a value fed to the member like any other, unless it only says "no data".
            var initializer = member.Initializer?.Value;
            var keptInitializer = initializer is not null && !IsEmptyValue(initializer, model, known, context.CancellationToken) ? initializer : null;
            var feeds = member.FindFeeds(root, model, context.CancellationToken);
            if (keptInitializer is not null)
            {
                feeds = feeds.Append(keptInitializer).ToList();
            }

            var retyping = new Retyping(
                member,
                DropInitializer: initializer is not null && keptInitializer is null,
                MayBeNull: MayBeNull(member, keptInitializer, feeds, model, context.CancellationToken));
            context.RegisterCodeFix(
                CodeAction.Create(
                    BlobRefTitle,
                    cancellationToken => RetypeAsync(
                        context.Document,
                        retyping,
                        BlobRefType(),
                        feeds,
                        (original, current) => WriteBlob(current, FlaggedMember.IsMemoryOfBytes(known, model.GetTypeInfo(original, cancellationToken).Type)),
                        cancellationToken),
                    BlobRefKey),
                diagnostic);

            var paths = feeds.Select(feed => ReadAllBytesPath(feed, model, known, context.CancellationToken)).ToList();
            if (paths.Count > 0 && paths.All(path => path is not null))
            {
                context.RegisterCodeFix(
                    CodeAction.Create(
                        FilePathTitle,
                        cancellationToken => RetypeAsync(context.Document, retyping, StringType(), feeds, (_, current) => ReadAllBytesPath(current)!, cancellationToken),
                        FilePathKey),
                    diagnostic);
            }
        }
    }

    /// <summary>
    /// True when the retyped member must be nullable: it was, or it is a property or field of a class that some
    /// constructor would leave with no value (no initializer kept, not assigned in that constructor), which a
    /// non-nullable reference may not be (CS8618). Only where nullable annotations are on; elsewhere a <c>?</c> on a
    /// reference type is itself a warning.
    /// </summary>
    private static bool MayBeNull(
        FlaggedMember member, ExpressionSyntax? keptInitializer, IReadOnlyList<ExpressionSyntax> feeds, SemanticModel model, CancellationToken cancellationToken) =>
        member.IsNullable
        || (member.NeedsValueOrNull
            && keptInitializer is null
            && !member.IsAssignedInEveryConstructor(feeds, model, cancellationToken)
            && model.GetNullableContext(member.Type.SpanStart).AnnotationsEnabled());

    /// <summary>A value that only says "no data": <c>null</c>, <c>default</c>, <c>[]</c>, <c>new byte[0]</c>, <c>Array.Empty&lt;byte&gt;()</c>, <c>Memory&lt;byte&gt;.Empty</c>, <c>Stream.Null</c>.</summary>
    private static bool IsEmptyValue(ExpressionSyntax value, SemanticModel model, KnownTypes known, CancellationToken cancellationToken) => value switch
    {
        LiteralExpressionSyntax literal => literal.IsKind(SyntaxKind.NullLiteralExpression) || literal.IsKind(SyntaxKind.DefaultLiteralExpression),
        DefaultExpressionSyntax => true,
        CollectionExpressionSyntax collection => collection.Elements.Count == 0,
        ArrayCreationExpressionSyntax array => array.Initializer is { Expressions.Count: 0 }
            || array.Type.RankSpecifiers.SelectMany(rank => rank.Sizes).Any(size => model.GetConstantValue(size, cancellationToken) is { HasValue: true, Value: 0 }),
        _ => model.GetSymbolInfo(value, cancellationToken).Symbol is { IsStatic: true } member && IsNoDataMember(member, known),
    };

    /// <summary>
    /// <c>Array.Empty&lt;T&gt;()</c>, <c>Memory&lt;T&gt;.Empty</c>, <c>ReadOnlyMemory&lt;T&gt;.Empty</c> or <c>Stream.Null</c>, known by
    /// their types: a user's member that is merely named <c>Empty</c> may well hold data.
    /// </summary>
    private static bool IsNoDataMember(ISymbol member, KnownTypes known) => member switch
    {
        IMethodSymbol { Name: "Empty", Parameters.Length: 0, ContainingType.SpecialType: SpecialType.System_Array } => true,
        IPropertySymbol { Name: "Empty" } property => KnownTypes.Is(property.ContainingType, known.Memory) || KnownTypes.Is(property.ContainingType, known.ReadOnlyMemory),
        IFieldSymbol { Name: "Null" } field => KnownTypes.Is(field.ContainingType, known.Stream),
        _ => false,
    };

    /// <summary>How to retype one member: drop its initializer (an empty value) or not, and make the new type nullable or not.</summary>
    private sealed record Retyping(FlaggedMember Member, bool DropInitializer, bool MayBeNull);

    /// <summary>
    /// Gives the member <paramref name="newType"/> and rewrites every value fed to it; <paramref name="rewriteFeed"/> gets
    /// the original feed, for the semantic model, and its current form.
    /// </summary>
    private static async Task<Document> RetypeAsync(
        Document document,
        Retyping retyping,
        TypeSyntax newType,
        IReadOnlyList<ExpressionSyntax> feeds,
        Func<ExpressionSyntax, ExpressionSyntax, ExpressionSyntax> rewriteFeed,
        CancellationToken cancellationToken)
    {
        var editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        foreach (var feed in feeds)
        {
            editor.ReplaceNode(feed, (current, _) => rewriteFeed(feed, (ExpressionSyntax)current).WithTriviaFrom(current));
        }

        var type = retyping.MayBeNull ? SyntaxFactory.NullableType(newType) : newType;
        editor.ReplaceNode(retyping.Member.Declaration, (current, _) => Retype(current, type, retyping.DropInitializer));
        return editor.GetChangedDocument();
    }

    private static SyntaxNode Retype(SyntaxNode declaration, TypeSyntax newType, bool dropInitializer) => declaration switch
    {
        ParameterSyntax parameter => parameter.WithType(newType.WithTriviaFrom(parameter.Type!)),
        PropertyDeclarationSyntax { Initializer: not null, AccessorList: { } accessors } property when dropInitializer => property
            .WithType(newType.WithTriviaFrom(property.Type))
            .WithInitializer(null)
            .WithAccessorList(accessors.WithTrailingTrivia(property.SemicolonToken.TrailingTrivia))
            .WithSemicolonToken(SyntaxFactory.Token(SyntaxKind.None)),
        PropertyDeclarationSyntax property => property.WithType(newType.WithTriviaFrom(property.Type)),
        VariableDeclarationSyntax field => field
            .WithType(newType.WithTriviaFrom(field.Type))
            .WithVariables(SyntaxFactory.SingletonSeparatedList(dropInitializer ? WithoutInitializer(field.Variables[0]) : field.Variables[0])),
        _ => declaration,
    };

    private static VariableDeclaratorSyntax WithoutInitializer(VariableDeclaratorSyntax variable) =>
        variable.Initializer is null ? variable : variable.WithInitializer(null).WithIdentifier(variable.Identifier.WithoutTrivia());

    private static TypeSyntax BlobRefType() => SyntaxFactory.ParseTypeName("global::TypedIpc.BlobRef").WithAdditionalAnnotations(Simplifier.Annotation);

    private static TypeSyntax StringType() => SyntaxFactory.PredefinedType(SyntaxFactory.Token(SyntaxKind.StringKeyword));

    /// <summary><c>SharedBlob.Write(value)</c>, or <c>SharedBlob.Write(value.Span)</c> for a memory value; a null or default literal stays as it is.</summary>
    private static ExpressionSyntax WriteBlob(ExpressionSyntax value, bool isMemory)
    {
        if (value.IsKind(SyntaxKind.NullLiteralExpression) || value.IsKind(SyntaxKind.DefaultLiteralExpression))
        {
            return value;
        }

        var bytes = value.WithoutTrivia();
        ExpressionSyntax argument = isMemory
            ? SyntaxFactory.MemberAccessExpression(
                SyntaxKind.SimpleMemberAccessExpression,
                SyntaxFactory.ParenthesizedExpression(bytes).WithAdditionalAnnotations(Simplifier.Annotation),
                SyntaxFactory.IdentifierName("Span"))
            : bytes;
        return SyntaxFactory.InvocationExpression(
            SyntaxFactory.ParseExpression("global::TypedIpc.SharedBlob.Write").WithAdditionalAnnotations(Simplifier.Annotation),
            SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(argument))));
    }

    /// <summary>The path argument of a <c>File.ReadAllBytes(path)</c> call, checked against the semantic model.</summary>
    private static ExpressionSyntax? ReadAllBytesPath(ExpressionSyntax value, SemanticModel model, KnownTypes known, CancellationToken cancellationToken) =>
        model.GetSymbolInfo(value, cancellationToken).Symbol is IMethodSymbol { Name: "ReadAllBytes" } method
        && KnownTypes.Is(method.ContainingType, known.File)
            ? ReadAllBytesPath(value)
            : null;

    /// <summary>The single argument of the <c>File.ReadAllBytes</c> call <paramref name="value"/>.</summary>
    private static ExpressionSyntax? ReadAllBytesPath(ExpressionSyntax value) =>
        value is InvocationExpressionSyntax { ArgumentList.Arguments.Count: 1 } call ? call.ArgumentList.Arguments[0].Expression.WithoutTrivia() : null;
}
