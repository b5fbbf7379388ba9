using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace PvEdge.EdgeAgent.Hosting;

/// <summary>Builds the agent's configuration from its sources, lowest priority first:
/// appsettings.json beside the program, /etc/edgeagent/edgeagent.json, EDGEAGENT__ environment variables, then --config F.
/// Also checks for keys no option class knows, so a typo is one clear line instead of a silently ignored setting.</summary>
public static class AgentConfiguration
{
    public const string SystemFile = "/etc/edgeagent/edgeagent.json";
    public const string EnvironmentPrefix = "EDGEAGENT__";

    /// <summary>Every options class and its section; the unknown-key check walks these.</summary>
    public static IReadOnlyDictionary<string, Type> Sections { get; } = new Dictionary<string, Type>(StringComparer.OrdinalIgnoreCase)
    {
        [GatewayOptions.Section] = typeof(GatewayOptions),
        [MqttOptions.Section] = typeof(MqttOptions),
        [AcquisitionOptions.Section] = typeof(AcquisitionOptions),
        [StorageOptions.Section] = typeof(StorageOptions),
        [WeatherOptions.Section] = typeof(WeatherOptions),
        [ModelOptions.Section] = typeof(ModelOptions),
        [ForecastOptions.Section] = typeof(ForecastOptions),
        [AnomalyOptions.Section] = typeof(AnomalyOptions),
        [DemoOptions.Section] = typeof(DemoOptions),
        [Acquisition.Sensors.SensorHostOptions.Section] = typeof(Acquisition.Sensors.SensorHostOptions),
    };

    /// <summary>Sections owned by the framework, accepted as they are.</summary>
    private static readonly HashSet<string> FrameworkSections = new(StringComparer.OrdinalIgnoreCase) { "Logging" };

    /// <summary>The configuration files that exist, in the order they are read.</summary>
    public static List<string> ExistingFiles(string? explicitFile, string appFolder)
    {
        var files = new List<string>();
        foreach (var f in new[] { Path.Combine(appFolder, "appsettings.json"), SystemFile })
        {
            if (File.Exists(f))
            {
                files.Add(f);
            }
        }
        if (!string.IsNullOrEmpty(explicitFile))
        {
            files.Add(explicitFile);
        }
        return files;
    }

    /// <summary>True when nothing configures the agent: no file and no EDGEAGENT__ variable. The agent then runs its demo.</summary>
    public static bool IsUnconfigured(string? explicitFile, string appFolder) =>
        ExistingFiles(explicitFile, appFolder).Count == 0 &&
        !Environment.GetEnvironmentVariables().Keys.Cast<string>().Any(k => k.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase));

    /// <summary>Adds the sources to a builder. <paramref name="defaults"/> sit below everything (the demo's settings).</summary>
    public static void AddSources(IConfigurationBuilder builder, string? explicitFile, string appFolder, IReadOnlyDictionary<string, string?>? defaults = null)
    {
        if (defaults is not null)
        {
            builder.AddInMemoryCollection(defaults);
        }
        builder.AddJsonFile(Path.Combine(appFolder, "appsettings.json"), optional: true, reloadOnChange: false);
        builder.AddJsonFile(SystemFile, optional: true, reloadOnChange: false);
        builder.AddEnvironmentVariables(EnvironmentPrefix);
        if (!string.IsNullOrEmpty(explicitFile))
        {
            if (!File.Exists(explicitFile))
            {
                throw new Shared.Cli.InputException($"--config {explicitFile}: file not found");
            }
            builder.AddJsonFile(Path.GetFullPath(explicitFile), optional: false, reloadOnChange: false);
        }
    }

    /// <summary>Keys that no option class knows, as "Section:Key" paths.</summary>
    public static List<string> UnknownKeys(IConfiguration configuration)
    {
        var unknown = new List<string>();
        foreach (var section in configuration.GetChildren())
        {
            if (FrameworkSections.Contains(section.Key))
            {
                continue;
            }
            if (!Sections.TryGetValue(section.Key, out var type))
            {
                unknown.Add(section.Key);
                continue;
            }
            foreach (var child in section.GetChildren())
            {
                var property = type.GetProperty(child.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
                if (property is null)
                {
                    unknown.Add($"{section.Key}:{child.Key}");
                }
                else if (ListElement(property.PropertyType) is { } element)
                {
                    // a list of option objects (Acquisition:Devices): the keys of each entry
                    var known = PropertyNames(element).ToHashSet(StringComparer.OrdinalIgnoreCase);
                    unknown.AddRange(child.GetChildren().SelectMany(entry => entry.GetChildren()
                        .Where(k => !known.Contains(k.Key)).Select(k => $"{section.Key}:{child.Key}:{entry.Key}:{k.Key}")));
                }
            }
        }
        return unknown;
    }

    /// <summary>T when <paramref name="type"/> is a list of option objects (List&lt;T&gt; of a class other than string).</summary>
    private static Type? ListElement(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>) && type.GetGenericArguments()[0] is { IsClass: true } t && t != typeof(string)
            ? t
            : null;

    private static IEnumerable<string> PropertyNames(Type type) => type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name);

    /// <summary>One line describing an unknown key and what is accepted there.</summary>
    public static string DescribeUnknown(string path)
    {
        var colon = path.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return $"configuration section '{path}' is unknown and ignored (known sections: {string.Join(", ", Sections.Keys.Order(StringComparer.Ordinal))})";
        }
        var parts = path.Split(':');
        var type = Sections[parts[0]];
        if (parts.Length == 4 && type.GetProperty(parts[1], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase) is { } list
            && ListElement(list.PropertyType) is { } element)
        {
            return $"configuration key '{path}' is unknown and ignored (known keys of a {parts[0]}:{parts[1]} entry: {string.Join(", ", PropertyNames(element))})";
        }
        return $"configuration key '{path}' is unknown and ignored (known keys of {path[..colon]}: {string.Join(", ", PropertyNames(type))})";
    }
}
