using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.TestSupport;

namespace PvEdge.Integration.Tests.Deploy;

/// <summary>deploy/edgeagent.sample.json and deploy/systemd/edgeagent.env, the files an installer edits: the agent accepts the sample as it
/// is and it documents every option; every option the environment file names, commented or not, is one the agent knows.</summary>
public sealed partial class SampleConfigTests
{
    private static string Sample => RepoPaths.InRepo("deploy/edgeagent.sample.json");

    private static string EnvFile => RepoPaths.InRepo("deploy/systemd/edgeagent.env");

    /// <summary>An EDGEAGENT__ assignment in an environment file, commented out or not: group 1 is the key after the prefix.</summary>
    [GeneratedRegex(@"^\s*#?\s*EDGEAGENT__([A-Za-z0-9_]+)=", RegexOptions.Multiline)]
    private static partial Regex EnvAssignment();

    /// <summary>The EDGEAGENT__ keys of an environment file's text that the agent would not bind, each with the reason. The environment
    /// provider turns EDGEAGENT__Section__Key into Section:Key; the agent's own unknown-key check then decides, and below the framework's
    /// Logging section every option is one level deep (Section__Key, nothing under it).</summary>
    internal static List<string> UnknownEnvKeys(string text, out int keys)
    {
        var paths = EnvAssignment().Matches(text).Select(m => m.Groups[1].Value).ToList();
        keys = paths.Count;
        var unknown = new List<string>();
        foreach (var key in paths)
        {
            var parts = key.Split("__");
            var path = string.Join(':', parts);
            if (parts.Length != 2 && !parts[0].Equals("Logging", StringComparison.OrdinalIgnoreCase))
            {
                unknown.Add($"EDGEAGENT__{key}: expected EDGEAGENT__Section__Key");
                continue;
            }
            var configuration = new ConfigurationBuilder().AddInMemoryCollection([new(path, "x")]).Build();
            unknown.AddRange(AgentConfiguration.UnknownKeys(configuration).Select(u => $"EDGEAGENT__{key}: {AgentConfiguration.DescribeUnknown(u)}"));
        }
        return unknown;
    }

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

    [Fact]
    public void EnvFile_EveryNamedOption_IsARealOption()
    {
        var unknown = UnknownEnvKeys(File.ReadAllText(EnvFile), out var keys);
        Assert.True(keys > 0, "deploy/systemd/edgeagent.env names no EDGEAGENT__ option (the check would pass on nothing)");
        Assert.True(unknown.Count == 0, $"deploy/systemd/edgeagent.env: {string.Join("; ", unknown)}");
    }

    [Theory]
    [InlineData("# EDGEAGENT__Mqtt__PasswordFile=/etc/edgeagent/mqtt.password", "Mqtt:PasswordFile")]
    [InlineData("EDGEAGENT__Mqt__Host=broker", "Mqt")]
    [InlineData("EDGEAGENT__Mqtt__Host__Name=broker", "expected EDGEAGENT__Section__Key")]
    public void UnknownEnvKeys_WrongOption_IsReported(string line, string expected)
    {
        var unknown = UnknownEnvKeys($"# comment\n{line}\nEDGEAGENT__Mqtt__Port=1883\n# EDGEAGENT__Logging__LogLevel__Default=Debug\n", out var keys);
        Assert.Equal(3, keys);
        Assert.Contains(unknown, u => u.Contains(expected, StringComparison.Ordinal));
        Assert.Single(unknown);
    }
}
