using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace TypedIpc.Generators.Tests;

/// <summary>
/// Every rule an analyzer reports is described, documented on its own page and listed in the analyzer releases as it
/// is declared: the release-tracking analyzer notices a missing rule, but not a severity or category that drifted.
/// </summary>
public sealed class DiagnosticDescriptorsTests
{
    private static readonly string RepositoryRoot = Path.GetFullPath(Path.Combine(
        typeof(DiagnosticDescriptorsTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ProjectDirectory").Value!,
        "..",
        ".."));

    public static TheoryData<string> RuleIds() => new(Descriptors().Select(descriptor => descriptor.Id));

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void A_rule_has_a_description_and_a_help_link_to_its_page(string id)
    {
        var descriptor = Descriptors().Single(candidate => candidate.Id == id);

        Assert.False(string.IsNullOrWhiteSpace(descriptor.Description.ToString()), $"{id} has no description");
        Assert.Equal($"https://github.com/typedipc/typedipc/blob/main/docs/diagnostics/{id}.md", descriptor.HelpLinkUri);
        Assert.True(File.Exists(Path.Combine(RepositoryRoot, "docs", "diagnostics", $"{id}.md")), $"docs/diagnostics/{id}.md is missing");
    }

    [Fact]
    public void The_analyzer_releases_list_every_rule_once_with_its_category_and_severity()
    {
        var released = new[] { "AnalyzerReleases.Shipped.md", "AnalyzerReleases.Unshipped.md" }
            .SelectMany(file => File.ReadLines(Path.Combine(RepositoryRoot, "src", "TypedIpc.Generators", file)))
            .Where(line => line.StartsWith("TIPC", StringComparison.Ordinal))
            .Select(line => line.Split('|', StringSplitOptions.TrimEntries))
            .Select(columns => $"{columns[0]} | {columns[1]} | {columns[2]}")
            .Order(StringComparer.Ordinal);

        var declared = Descriptors()
            .Select(descriptor => $"{descriptor.Id} | {descriptor.Category} | {descriptor.DefaultSeverity}")
            .Order(StringComparer.Ordinal);

        Assert.Equal(declared, released);
    }

    private static IEnumerable<DiagnosticDescriptor> Descriptors() =>
        new DiagnosticAnalyzer[] { new BulkDataMemberAnalyzer(), new LargePutAnalyzer(), new IpcQueueUsageAnalyzer() }
            .SelectMany(analyzer => analyzer.SupportedDiagnostics);
}
