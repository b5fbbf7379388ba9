using System.Reflection;
using Microsoft.Extensions.Configuration;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.TestSupport;

namespace PvEdge.Integration.Tests.Deploy;

/// <summary>deploy/edgeagent.sample.json, the file an installer edits: the agent accepts it as it is and it documents every option.</summary>
public sealed class SampleConfigTests
{
    private static string Sample => RepoPaths.InRepo("deploy/edgeagent.sample.json");

    [Fact]
    public void CheckConfig_ShippedSample_AcceptedWithoutWarnings()
    {
        var result = ProcessRunner.Run(AgentProcess.StartInfo("check-config", "--config", Sample), TimeSpan.FromMinutes(2));
        Assert.True(result.ExitCode == 0, $"check-config exit {result.ExitCode}: {result.All}");
        Assert.Contains("configuration OK", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("warning", result.All, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Sample_EveryOptionOfEverySection_IsListed()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(Sample).Build();
        // an empty list ("Devices": []) is listed with a null value
        var listed = configuration.AsEnumerable().Select(kv => kv.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var missing = AgentConfiguration.Sections
            .SelectMany(s => s.Value.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => $"{s.Key}:{p.Name}"))
            .Where(key => !listed.Contains(key))
            .ToList();
        Assert.True(missing.Count == 0, $"deploy/edgeagent.sample.json does not list {string.Join(", ", missing)}");
    }
}
