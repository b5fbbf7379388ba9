using System.ComponentModel;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PvEdge.EdgeAgent.Acquisition.Sensors;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.Shared.Cli;

namespace PvEdge.EdgeAgent.Acquisition.Devices;

/// <summary>Hooks <c>Acquisition:Devices</c> into the agent's host: <see cref="Check"/> at configuration time (run, check-config),
/// <see cref="AddDevices"/> when composing. The devices are read when <c>Acquisition:Simulated</c> is false; listing devices while it
/// is true is refused, so a gateway never publishes the simulated plant as its site's production by mistake.</summary>
public static class DeviceAgentWiring
{
    /// <summary>Reads and checks the configured devices (an empty list when there are none). A bad entry throws
    /// <see cref="InputException"/> with one line naming the key (the CLI exits 2).</summary>
    public static IReadOnlyList<ConfiguredDevice> Check(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var devices = DeviceValidation.Validate(Read(configuration));
        if (Bind(configuration).Simulated && devices.Count > 0)
        {
            throw new InputException($"configuration key '{AcquisitionOptions.Section}:Simulated' = 'true': {DeviceValidation.Section} lists {devices.Count} device(s), " +
                "read only when Simulated is false; set \"Simulated\": false to read them (true runs the built-in simulated inverter instead)");
        }
        return devices;
    }

    /// <summary>Warnings about what the agent will read: none, when nothing is simulated and nothing is configured.</summary>
    public static IReadOnlyList<string> Warnings(IConfiguration configuration, IReadOnlyList<ConfiguredDevice> devices, SensorOptions? sensors)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(devices);
        if (Bind(configuration).Simulated || devices.Count > 0 || sensors is { Sensors.Count: > 0 })
        {
            return [];
        }
        return [$"{AcquisitionOptions.Section}:Simulated is false and neither {DeviceValidation.Section} nor {SensorHostOptions.Section}:File lists anything: " +
            "the agent has nothing to read (list the inverter under Acquisition:Devices; edgeagent probe finds its unit id)"];
    }

    /// <summary>check-config's lines: one per device ("device inverter: Modbus TCP 192.168.1.50:502, unit 1, SunSpec, every 5 s"),
    /// or "devices: none" and what is read instead.</summary>
    /// <param name="devices">as <see cref="Check"/> gave them</param>
    public static IReadOnlyList<string> Describe(IConfiguration configuration, IReadOnlyList<ConfiguredDevice> devices)
    {
        ArgumentNullException.ThrowIfNull(devices);
        if (devices.Count > 0)
        {
            return [.. devices.Select(d => $"device {d.Describe()}")];
        }
        return [Bind(configuration).Simulated ? "devices: none (Acquisition:Simulated is true: the built-in simulated inverter)" : "devices: none"];
    }

    /// <summary>Registers the <see cref="ModbusDeviceSet"/> of the configured devices (as <see cref="Check"/> gave them), built on
    /// first use: readings stamped by the agent's <see cref="TimeProvider"/>, Modbus timeouts on the <see cref="WallClock"/>. The
    /// container disposes it at shutdown.</summary>
    public static void AddDevices(IServiceCollection services, IReadOnlyList<ConfiguredDevice> devices)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(devices);
        services.AddSingleton(sp => ModbusDeviceSet.Create(devices, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<WallClock>().Time));
    }

    /// <summary>The entries of <c>Acquisition:Devices</c> as written. The configuration binder silently leaves out a list entry with a
    /// value it cannot convert ("Port": "50x" would drop the whole device), so every value is converted here first and a bad one is
    /// one line naming its key.</summary>
    public static IReadOnlyList<ModbusDeviceOptions?> Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var list = new List<ModbusDeviceOptions?>();
        foreach (var entry in configuration.GetSection(DeviceValidation.Section).GetChildren())
        {
            var children = entry.GetChildren().ToList();
            if (children.Count == 0)
            {
                list.Add(null); // a scalar where a device object belongs: DeviceValidation names it
                continue;
            }
            foreach (var child in children)
            {
                var property = typeof(ModbusDeviceOptions).GetProperty(child.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
                if (property is null)
                {
                    continue; // unknown keys are warnings (AgentConfiguration.UnknownKeys)
                }
                if (property.PropertyType == typeof(List<int>))
                {
                    foreach (var item in child.GetChildren())
                    {
                        Convert(item, typeof(int));
                    }
                }
                else
                {
                    Convert(child, property.PropertyType);
                }
            }
            var options = new ModbusDeviceOptions();
            entry.Bind(options);
            list.Add(options);
        }
        return list;
    }

    private static void Convert(IConfigurationSection value, Type type)
    {
        if (type == typeof(string))
        {
            return;
        }
        var expected = type == typeof(int) ? "expected a whole number" : "expected a number";
        if (value.GetChildren().Any())
        {
            throw new InputException($"configuration key '{value.Path}': {expected}, got an object or a list");
        }
        try
        {
            if (TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value.Value ?? "") is null)
            {
                throw new FormatException();
            }
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or NotSupportedException or OverflowException)
        {
            throw new InputException($"configuration key '{value.Path}' = '{value.Value}': {expected}");
        }
    }

    private static AcquisitionOptions Bind(IConfiguration configuration)
    {
        var o = new AcquisitionOptions();
        configuration.GetSection(AcquisitionOptions.Section).Bind(o);
        return o;
    }
}
