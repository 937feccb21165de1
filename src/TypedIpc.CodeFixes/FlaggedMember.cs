using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;
using TypedIpc.Generators;

namespace TypedIpc.CodeFixes;

/// <summary>
/// The declaration of a member TIPC001 flagged, when a code fix can retype it: a positional record parameter, an
/// auto-property or a single-variable field whose type is itself a byte buffer or a stream (not a collection of them,
/// not a nested type that contains one). A property with accessor bodies reads and writes storage of the old type,
/// which retyping the property alone would break, so it gets no fix.
/// </summary>
internal sealed class FlaggedMember
{
    private FlaggedMember(SyntaxNode declaration, TypeSyntax type, ISymbol member, IParameterSymbol? parameter)
    {
        Declaration = declaration;
        Type = type;
        Member = member;
        Parameter = parameter;
    }

    /// <summary>The <see cref="ParameterSyntax"/>, <see cref="PropertyDeclarationSyntax"/> or <see cref="VariableDeclarationSyntax"/> that declares the member.</summary>
    public SyntaxNode Declaration { get; }

    public TypeSyntax Type { get; }

    /// <summary>True when the member may hold null (<c>byte[]?</c>), so its new type must too.</summary>
    public bool IsNullable => Type is NullableTypeSyntax;

    /// <summary>The initializer of a property or field (<c>= value</c>), null for a record parameter or when it has none.</summary>
    public EqualsValueClauseSyntax? Initializer => Declaration switch
    {
        PropertyDeclarationSyntax property => property.Initializer,
        VariableDeclarationSyntax variables => variables.Variables[0].Initializer,
        _ => null,
    };

    /// <summary>
    /// True for a property or field of a class or record class that is not <c>required</c>: without an initializer or
    /// a value from every constructor, a non-nullable reference there is the compiler's CS8618.
    /// </summary>
    public bool NeedsValueOrNull =>
        Parameter is null
        && Member.ContainingType.TypeKind == TypeKind.Class
        && Member is not (IPropertySymbol { IsRequired: true } or IFieldSymbol { IsRequired: true });

    /// <summary>
    /// True when every constructor of the member's type gives it one of <paramref name="feeds"/>, or chains with
    /// <c>this(...)</c> to a constructor that does. An implicit constructor and a primary constructor give it none; a
    /// record's implicit copy constructor copies it.
    /// </summary>
    public bool IsAssignedInEveryConstructor(IEnumerable<ExpressionSyntax> feeds, SemanticModel model, CancellationToken cancellationToken)
    {
        var type = Member.ContainingType;
        var assigning = new HashSet<ConstructorDeclarationSyntax>(feeds
            .Select(feed => feed.FirstAncestorOrSelf<ConstructorDeclarationSyntax>())
            .OfType<ConstructorDeclarationSyntax>()
            .Where(constructor => SymbolEqualityComparer.Default.Equals(model.GetDeclaredSymbol(constructor, cancellationToken)?.ContainingType, type)));
        return type.InstanceConstructors
            .Where(constructor => !IsImplicitCopyConstructor(constructor))
            .All(constructor => constructor.DeclaringSyntaxReferences.Length == 1
                && constructor.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is ConstructorDeclarationSyntax declaration
                && (declaration.Initializer?.IsKind(SyntaxKind.ThisConstructorInitializer) == true || assigning.Contains(declaration)));
    }

    /// <summary>The property or field whose value travels.</summary>
    private ISymbol Member { get; }

    /// <summary>The primary-constructor parameter behind a positional record member.</summary>
    private IParameterSymbol? Parameter { get; }

    public static FlaggedMember? Find(SyntaxNode root, SemanticModel model, KnownTypes known, TextSpan span, CancellationToken cancellationToken)
    {
        var node = root.FindNode(span);
        switch (node)
        {
            case ParameterSyntax { Type: { } type, Parent.Parent: RecordDeclarationSyntax } parameterSyntax
                when model.GetDeclaredSymbol(parameterSyntax, cancellationToken) is { } parameter
                && parameter.ContainingType.GetMembers(parameter.Name).OfType<IPropertySymbol>().FirstOrDefault() is { } property:
                return Create(parameterSyntax, type, property, parameter, model, known, cancellationToken);
            case PropertyDeclarationSyntax propertySyntax when IsAutoProperty(propertySyntax) && model.GetDeclaredSymbol(propertySyntax, cancellationToken) is { } property:
                return Create(propertySyntax, propertySyntax.Type, property, parameter: null, model, known, cancellationToken);
            case VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax { Variables.Count: 1 } declaration } variable
                when model.GetDeclaredSymbol(variable, cancellationToken) is IFieldSymbol field:
                return Create(declaration, declaration.Type, field, parameter: null, model, known, cancellationToken);
            default:
                return null;
        }
    }

    /// <summary>
    /// The expressions in <paramref name="root"/> whose values end up in the member: arguments of its record
    /// parameter and right-hand sides of assignments to it (object initializers, <c>with</c> expressions, statements).
    /// </summary>
    public IReadOnlyList<ExpressionSyntax> FindFeeds(SyntaxNode root, SemanticModel model, CancellationToken cancellationToken)
    {
        var feeds = new List<ExpressionSyntax>();
        foreach (var node in root.DescendantNodes())
        {
            switch (node)
            {
                case ArgumentSyntax argument when Parameter is not null
                    && model.GetOperation(argument, cancellationToken) is IArgumentOperation { Parameter: { } target }
                    && SymbolEqualityComparer.Default.Equals(target.OriginalDefinition, Parameter):
                    feeds.Add(argument.Expression);
                    break;
                case AssignmentExpressionSyntax assignment when assignment.IsKind(SyntaxKind.SimpleAssignmentExpression)
                    && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(assignment.Left, cancellationToken).Symbol?.OriginalDefinition, Member):
                    feeds.Add(assignment.Right);
                    break;
            }
        }

        return feeds;
    }

    /// <summary><c>Memory&lt;byte&gt;</c> or <c>ReadOnlyMemory&lt;byte&gt;</c>, which reach <c>SharedBlob.Write</c> through their <c>.Span</c>.</summary>
    public static bool IsMemoryOfBytes(KnownTypes known, ITypeSymbol? type) =>
        type is INamedTypeSymbol { TypeArguments.Length: 1 } named
        && named.TypeArguments[0].SpecialType == SpecialType.System_Byte
        && (KnownTypes.Is(named, known.Memory) || KnownTypes.Is(named, known.ReadOnlyMemory));

    private static bool IsImplicitCopyConstructor(IMethodSymbol constructor) =>
        constructor is { IsImplicitlyDeclared: true, Parameters.Length: 1 }
        && SymbolEqualityComparer.Default.Equals(constructor.Parameters[0].Type, constructor.ContainingType);

    private static bool IsAutoProperty(PropertyDeclarationSyntax property) =>
        property is { ExpressionBody: null, AccessorList: { } accessors }
        && accessors.Accessors.All(accessor => accessor is { Body: null, ExpressionBody: null });

    private static FlaggedMember? Create(
        SyntaxNode declaration, TypeSyntax type, ISymbol member, IParameterSymbol? parameter, SemanticModel model, KnownTypes known, CancellationToken cancellationToken) =>
        CanBeWritten(known, model.GetTypeInfo(type, cancellationToken).Type)
            ? new FlaggedMember(declaration, type, member, parameter)
            : null;

    /// <summary>A <c>byte[]</c>, <c>Memory&lt;byte&gt;</c>, <c>ReadOnlyMemory&lt;byte&gt;</c> or <c>Stream</c>: what a <c>SharedBlob.Write</c> overload takes.</summary>
    private static bool CanBeWritten(KnownTypes known, ITypeSymbol? type) =>
        type is IArrayTypeSymbol { Rank: 1, ElementType.SpecialType: SpecialType.System_Byte }
        || IsMemoryOfBytes(known, type)
        || KnownTypes.DerivesFrom(type, known.Stream);
}
