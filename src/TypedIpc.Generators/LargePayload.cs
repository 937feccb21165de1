using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace TypedIpc.Generators;

/// <summary>
/// Finds what makes a put's argument visibly large: a whole file or stream read into it, a constant string, an array
/// of constant length, or an array, collection expression or collection initializer with more bytes than the
/// threshold, anywhere in the expression that builds the item (constructor arguments, initializers, <c>with</c>,
/// conditionals, concatenations, and the initializers of the locals it uses).
/// </summary>
internal static class LargePayload
{
    /// <summary>How far the search follows nested expressions and locals, so that it stays cheap.</summary>
    private const int MaxDepth = 12;

    private static readonly (string Type, string[] Methods)[] WholeReads =
    {
        ("System.IO.File", new[] { "ReadAllBytes", "ReadAllBytesAsync", "ReadAllText", "ReadAllTextAsync", "ReadAllLines", "ReadAllLinesAsync" }),
        ("System.IO.TextReader", new[] { "ReadToEnd", "ReadToEndAsync" }),
        ("System.IO.BinaryReader", new[] { "ReadBytes" }),
        ("System.IO.MemoryStream", new[] { "ToArray", "GetBuffer" }),
    };

    /// <summary>Why <paramref name="value"/> is large, or null when nothing about it visibly is.</summary>
    public static string? Find(IOperation value, int thresholdBytes) => Find(value, thresholdBytes, depth: 0);

    private static string? Find(IOperation? operation, int threshold, int depth)
    {
        if (operation is null || depth > MaxDepth)
        {
            return null;
        }

        if (operation.ConstantValue is { HasValue: true, Value: string text })
        {
            var bytes = Encoding.UTF8.GetByteCount(text);
            return bytes > threshold ? $"a constant string of {bytes} bytes, over the {threshold}-byte threshold" : null;
        }

        return operation switch
        {
            IInvocationOperation invocation => WholeRead(invocation.TargetMethod),
            IArrayCreationOperation array => LargeArray(array, threshold) ?? FindInChildren(array, threshold, depth),
            IObjectCreationOperation { Type.SpecialType: SpecialType.System_String } repeated => RepeatedString(repeated, threshold),
            IObjectOrCollectionInitializerOperation initializer => LargeCollectionInitializer(initializer, threshold) ?? FindInInitializer(initializer, threshold, depth),
            IBinaryOperation { OperatorKind: BinaryOperatorKind.Add, Type.SpecialType: SpecialType.System_String } concatenation => FindInChildren(concatenation, threshold, depth),
            ILocalReferenceOperation local => Find(LocalInitializer(local), threshold, depth + 1),
            IConversionOperation or IAwaitOperation or IArgumentOperation or IObjectCreationOperation or IWithOperation
                or IAnonymousObjectCreationOperation or ITupleOperation or IMemberInitializerOperation or ISimpleAssignmentOperation
                or IConditionalOperation or ICoalesceOperation or IInterpolatedStringOperation or IInterpolationOperation
                or IArrayInitializerOperation => FindInChildren(operation, threshold, depth),
            _ when operation.Syntax is CollectionExpressionSyntax collection => LargeCollectionExpression(operation, collection, threshold) ?? FindInChildren(operation, threshold, depth),
            _ => null,
        };
    }

    private static string? FindInChildren(IOperation operation, int threshold, int depth) =>
        operation.ChildOperations.Select(child => Find(child, threshold, depth + 1)).FirstOrDefault(reason => reason is not null);

    /// <summary>A collection initializer's Add calls are invocations; what matters is what they add.</summary>
    private static string? FindInInitializer(IObjectOrCollectionInitializerOperation initializer, int threshold, int depth) =>
        initializer.Initializers
            .SelectMany(element => element is IInvocationOperation add ? add.Arguments.Cast<IOperation>() : new[] { element })
            .Select(element => Find(element, threshold, depth + 1))
            .FirstOrDefault(reason => reason is not null);

    private static string? WholeRead(IMethodSymbol method)
    {
        foreach (var (typeName, methods) in WholeReads)
        {
            if (methods.Contains(method.Name) && DerivesFrom(method.ContainingType, typeName))
            {
                return $"{method.ContainingType.Name}.{method.Name} reads a whole file or stream into it";
            }
        }

        return null;
    }

    private static string? LargeArray(IArrayCreationOperation array, int threshold)
    {
        var elementType = ((IArrayTypeSymbol)array.Type!).ElementType;
        long? length = array.Initializer is { } initializer
            ? initializer.ElementValues.Length
            : array.DimensionSizes.Aggregate((long?)1, (product, size) => size.ConstantValue is { HasValue: true, Value: int n } ? product * n : null);
        return Exceeds(length, elementType, threshold, "an array");
    }

    private static string? LargeCollectionInitializer(IObjectOrCollectionInitializerOperation initializer, int threshold)
    {
        var adds = initializer.Initializers.OfType<IInvocationOperation>().ToList();
        if (adds.Count == 0)
        {
            return null;
        }

        var elementType = adds[0].Arguments.FirstOrDefault()?.Value.Type;
        return elementType is null ? null : Exceeds(adds.Count, elementType, threshold, "a collection initializer");
    }

    private static string? LargeCollectionExpression(IOperation operation, CollectionExpressionSyntax collection, int threshold)
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
        return elementType is null ? null : Exceeds(collection.Elements.Count, elementType, threshold, "a collection expression");
    }

    private static string? RepeatedString(IObjectCreationOperation creation, int threshold)
    {
        var count = creation.Arguments.FirstOrDefault(argument => argument.Parameter?.Type.SpecialType == SpecialType.System_Int32)?.Value.ConstantValue;
        return count is { HasValue: true, Value: int length } && creation.Arguments.Length == 2 && length > threshold
            ? $"a string of {length} characters, over the {threshold}-byte threshold"
            : null;
    }

    private static string? Exceeds(long? length, ITypeSymbol elementType, int threshold, string what)
    {
        if (length is not { } count)
        {
            return null;
        }

        var bytes = count * (FixedSize.Of(elementType) ?? 1);
        return bytes > threshold
            ? $"{what} of {count} {elementType.ToDisplayString()} elements, at least {bytes} bytes, over the {threshold}-byte threshold"
            : null;
    }

    private static IOperation? LocalInitializer(ILocalReferenceOperation local)
    {
        var declarator = local.Local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() as VariableDeclaratorSyntax;
        return declarator?.Initializer is { } initializer && local.SemanticModel?.SyntaxTree == declarator.SyntaxTree
            ? local.SemanticModel.GetOperation(initializer.Value)
            : null;
    }

    private static bool DerivesFrom(ITypeSymbol? type, string metadataName)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (current.IsNamed(metadataName))
            {
                return true;
            }
        }

        return false;
    }
}
