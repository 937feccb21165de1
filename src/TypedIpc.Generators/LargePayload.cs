using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace TypedIpc.Generators;

/// <summary>
/// Finds what makes a put's argument visibly large: a whole file or stream read into it, a <c>BinaryReader.ReadBytes</c>
/// of a large constant count, a constant string, an array of constant length, or an array, collection expression or
/// collection initializer with more bytes than the threshold, anywhere in the expression that builds the item
/// (constructor arguments, initializers, <c>with</c>, conditionals, concatenations, conversions that keep the size such
/// as <c>Encoding.GetBytes</c>, and the initializers of the locals it uses that are never assigned again).
/// </summary>
internal static class LargePayload
{
    /// <summary>How far the search follows nested expressions and locals, so that it stays cheap.</summary>
    private const int MaxDepth = 12;

    private static readonly string[] FileReads = { "ReadAllBytes", "ReadAllBytesAsync", "ReadAllText", "ReadAllTextAsync", "ReadAllLines", "ReadAllLinesAsync" };
    private static readonly string[] ReaderReads = { "ReadToEnd", "ReadToEndAsync" };
    private static readonly string[] MemoryStreamReads = { "ToArray", "GetBuffer" };
    private static readonly string[] EncodingConversions = { "GetBytes", "GetString", "GetChars" };
    private static readonly string[] ConvertConversions = { "ToBase64String", "FromBase64String", "ToHexString", "FromHexString" };
    private static readonly string[] EnumerableCopies = { "ToArray", "ToList" };

    /// <summary>Why <paramref name="value"/> is large, or null when nothing about it visibly is.</summary>
    public static string? Find(KnownTypes known, IOperation value, int thresholdBytes) => new Search(known, thresholdBytes).Find(value, depth: 0);

    /// <summary>
    /// The initializer of the local <paramref name="local"/> refers to, when that is the only value it ever holds:
    /// null when it has none or is assigned again (<c>body = body[..256]</c>), passed by <c>ref</c>/<c>out</c> or incremented.
    /// </summary>
    public static IOperation? LocalInitializer(ILocalReferenceOperation local)
    {
        var declarator = local.Local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() as VariableDeclaratorSyntax;
        if (declarator?.Initializer is not { } initializer || local.SemanticModel is not { } model || model.SyntaxTree != declarator.SyntaxTree)
        {
            return null;
        }

        var scope = declarator.FirstAncestorOrSelf<BlockSyntax>() ?? declarator.SyntaxTree.GetRoot();
        return scope.DescendantNodes().Any(node => WrittenTarget(node) is IdentifierNameSyntax name
                && name.Identifier.ValueText == local.Local.Name
                && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name).Symbol, local.Local))
            ? null
            : model.GetOperation(initializer.Value);
    }

    /// <summary>The expression <paramref name="node"/> writes to, if it writes to one.</summary>
    private static ExpressionSyntax? WrittenTarget(SyntaxNode node) => node switch
    {
        AssignmentExpressionSyntax assignment => assignment.Left,
        PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression } prefix => prefix.Operand,
        PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression or (int)SyntaxKind.PostDecrementExpression } postfix => postfix.Operand,
        ArgumentSyntax { RefKindKeyword.RawKind: (int)SyntaxKind.RefKeyword or (int)SyntaxKind.OutKeyword } argument => argument.Expression,
        _ => null,
    };

    private sealed class Search
    {
        private readonly KnownTypes _known;
        private readonly int _threshold;

        public Search(KnownTypes known, int threshold)
        {
            _known = known;
            _threshold = threshold;
        }

        public string? Find(IOperation? operation, int depth)
        {
            if (operation is null || depth > MaxDepth)
            {
                return null;
            }

            if (operation.ConstantValue is { HasValue: true, Value: string text })
            {
                var bytes = Encoding.UTF8.GetByteCount(text);
                return bytes > _threshold ? $"a constant string of {bytes} bytes, over the {_threshold}-byte threshold" : null;
            }

            return operation switch
            {
                IInvocationOperation invocation => FindInInvocation(invocation, depth),
                IArrayCreationOperation array => LargeArray(array) ?? FindInChildren(array, depth),
                IObjectCreationOperation { Type.SpecialType: SpecialType.System_String } repeated => RepeatedString(repeated),
                IObjectOrCollectionInitializerOperation initializer => LargeCollectionInitializer(initializer) ?? FindInInitializer(initializer, depth),
                IBinaryOperation { OperatorKind: BinaryOperatorKind.Add, Type.SpecialType: SpecialType.System_String } concatenation => FindInChildren(concatenation, depth),
                ILocalReferenceOperation local => Find(LocalInitializer(local), depth + 1),
                IConversionOperation or IAwaitOperation or IArgumentOperation or IObjectCreationOperation or IWithOperation
                    or IAnonymousObjectCreationOperation or ITupleOperation or IMemberInitializerOperation or ISimpleAssignmentOperation
                    or IConditionalOperation or ICoalesceOperation or IInterpolatedStringOperation or IInterpolationOperation
                    or IArrayInitializerOperation => FindInChildren(operation, depth),
                _ when operation.Syntax is CollectionExpressionSyntax collection => LargeCollectionExpression(operation, collection) ?? FindInChildren(operation, depth),
                _ => null,
            };
        }

        private string? FindInChildren(IOperation operation, int depth) =>
            operation.ChildOperations.Select(child => Find(child, depth + 1)).FirstOrDefault(reason => reason is not null);

        /// <summary>A collection initializer's Add calls are invocations; what matters is what they add.</summary>
        private string? FindInInitializer(IObjectOrCollectionInitializerOperation initializer, int depth) =>
            initializer.Initializers
                .SelectMany(element => element is IInvocationOperation add ? add.Arguments.Cast<IOperation>() : new[] { element })
                .Select(element => Find(element, depth + 1))
                .FirstOrDefault(reason => reason is not null);

        /// <summary>A whole read, a <c>ReadBytes</c> of a large count, or a conversion that carries its input's size into its result.</summary>
        private string? FindInInvocation(IInvocationOperation invocation, int depth)
        {
            var method = invocation.TargetMethod;
            var type = method.ContainingType;
            if ((KnownTypes.Is(type, _known.File) && FileReads.Contains(method.Name))
                || (KnownTypes.DerivesFrom(type, _known.TextReader) && ReaderReads.Contains(method.Name))
                || (KnownTypes.DerivesFrom(type, _known.MemoryStream) && MemoryStreamReads.Contains(method.Name)))
            {
                return $"{type.Name}.{method.Name} reads a whole file or stream into it";
            }

            if (KnownTypes.DerivesFrom(type, _known.BinaryReader) && method.Name == "ReadBytes")
            {
                return invocation.Arguments.FirstOrDefault()?.Value.ConstantValue is { HasValue: true, Value: int count } && count > _threshold
                    ? $"BinaryReader.ReadBytes reads {count} bytes into it, over the {_threshold}-byte threshold"
                    : null;
            }

            var keepsSize = (KnownTypes.DerivesFrom(type, _known.Encoding) && EncodingConversions.Contains(method.Name))
                || (KnownTypes.Is(type, _known.Convert) && ConvertConversions.Contains(method.Name))
                || (KnownTypes.Is(type, _known.Enumerable) && EnumerableCopies.Contains(method.Name));
            return keepsSize ? FindInChildren(invocation, depth) : null;
        }

        private string? LargeArray(IArrayCreationOperation array)
        {
            var elementType = ((IArrayTypeSymbol)array.Type!).ElementType;
            long? length = array.Initializer is { } initializer
                ? initializer.ElementValues.Length
                : array.DimensionSizes.Aggregate((long?)1, (product, size) => size.ConstantValue is { HasValue: true, Value: int n } ? product * n : null);
            return Exceeds(length, elementType, "an array");
        }

        private string? LargeCollectionInitializer(IObjectOrCollectionInitializerOperation initializer)
        {
            var adds = initializer.Initializers.OfType<IInvocationOperation>().ToList();
            if (adds.Count == 0)
            {
                return null;
            }

            var elementType = adds[0].Arguments.FirstOrDefault()?.Value.Type;
            return elementType is null ? null : Exceeds(adds.Count, elementType, "a collection initializer");
        }

        private string? LargeCollectionExpression(IOperation operation, CollectionExpressionSyntax collection)
        {
            if (collection.Elements.Any(element => element is not ExpressionElementSyntax))
            {
                return null;
            }

            var collectionType = operation.Type ?? operation.SemanticModel?.GetTypeInfo(collection).ConvertedType;
            var elementType = collectionType switch
            {
                IArrayTypeSymbol array => array.ElementType,
                INamedTypeSymbol { TypeArguments.Length: 1 } named => named.TypeArguments[0],
                _ => null,
            };
            return elementType is null ? null : Exceeds(collection.Elements.Count, elementType, "a collection expression");
        }

        private string? RepeatedString(IObjectCreationOperation creation)
        {
            var count = creation.Arguments.FirstOrDefault(argument => argument.Parameter?.Type.SpecialType == SpecialType.System_Int32)?.Value.ConstantValue;
            return count is { HasValue: true, Value: int length } && creation.Arguments.Length == 2 && length > _threshold
                ? $"a string of {length} characters, over the {_threshold}-byte threshold"
                : null;
        }

        private string? Exceeds(long? length, ITypeSymbol elementType, string what)
        {
            if (length is not { } count)
            {
                return null;
            }

            var bytes = count * (FixedSize.Of(_known, elementType) ?? 1);
            return bytes > _threshold
                ? $"{what} of {count} {elementType.ToDisplayString()} elements, at least {bytes} bytes, over the {_threshold}-byte threshold"
                : null;
        }
    }
}
