using System.Globalization;
using PvEdge.EdgeAgent.Acquisition.RegisterMaps;
using PvEdge.Modbus.Client;
using PvEdge.Shared.Cli;

namespace PvEdge.EdgeAgent.Acquisition.Devices;

/// <summary>A checked entry of <c>Acquisition:Devices</c>, ready to be wired: its endpoint, unit ids, and the loaded register map
/// (null = SunSpec).</summary>
public sealed record ConfiguredDevice(string Name, ModbusEndpoint Endpoint, IReadOnlyList<byte> Units, RegisterMap? Map, string? MapName,
    TimeSpan Cadence, TimeSpan Timeout, int Retries, TimeSpan Delay)
{
    /// <summary>"inverter: Modbus TCP 192.168.1.50:502, unit 1, SunSpec, every 5 s": for check-config.</summary>
    public string Describe()
    {
        var units = Units.Count == 1 ? $"unit {Units[0]}" : $"units {string.Join(", ", Units)}";
        var what = Map is null ? "SunSpec" : $"map {MapName} ({Map.Manufacturer} {Map.Model})";
        var absent = Endpoint.IsRtu && !File.Exists(Endpoint.SerialPort) ? " (not present now)" : "";
        return string.Create(CultureInfo.InvariantCulture, $"{Name}: {Endpoint.Describe()}{absent}, {units}, {what}, every {Cadence.TotalSeconds:0.###} s");
    }
}

/// <summary>Checks <c>Acquisition:Devices</c> the way an installer writes it: every error is one line naming the key
/// (<c>Acquisition:Devices:0:Port</c>) and what was expected.</summary>
public static class DeviceValidation
{
    public const string Section = "Acquisition:Devices";

    /// <summary>The checked devices in configuration order; throws <see cref="InputException"/> with the first error.</summary>
    public static IReadOnlyList<ConfiguredDevice> Validate(IReadOnlyList<ModbusDeviceOptions?> devices)
    {
        var (configured, errors) = Check(devices);
        return errors.Count > 0 ? throw new InputException(errors[0]) : configured;
    }

    /// <summary>Every problem found, one line each, in the order of the list (a device with a problem is left out of the result).</summary>
    public static (IReadOnlyList<ConfiguredDevice> Devices, IReadOnlyList<string> Errors) Check(IReadOnlyList<ModbusDeviceOptions?> devices)
    {
        ArgumentNullException.ThrowIfNull(devices);
        var errors = new List<string>();
        var configured = new List<ConfiguredDevice>();
        var names = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var units = new Dictionary<(string Endpoint, int Unit), int>();
        var bauds = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < devices.Count; i++)
        {
            var before = errors.Count;
            var d = devices[i];
            var key = $"{Section}:{i}";
            if (d is null)
            {
                errors.Add($"configuration key '{key}': expected a device object such as {{ \"Name\": \"inverter\", \"Host\": \"192.168.1.50\", \"Units\": [1] }}");
                continue;
            }
            void Fail(string property, object? value, string expected) =>
                errors.Add(value is null
                    ? $"configuration key '{key}:{property}': {expected}"
                    : string.Create(CultureInfo.InvariantCulture, $"configuration key '{key}:{property}' = '{value}': {expected}"));

            if (string.IsNullOrWhiteSpace(d.Name))
            {
                Fail("Name", null, "a name is required (e.g. \"inverter\"), unique among the devices");
            }
            else if (names.TryGetValue(d.Name, out var other))
            {
                Fail("Name", d.Name, $"already the name of {Section}:{other}; names must be unique");
            }
            else
            {
                names[d.Name] = i;
            }

            var tcp = !string.IsNullOrWhiteSpace(d.Host);
            var rtu = !string.IsNullOrWhiteSpace(d.Rtu);
            if (tcp == rtu)
            {
                if (tcp)
                {
                    Fail("Rtu", d.Rtu, $"give Host (Modbus TCP) or Rtu (a serial port), not both; Host is '{d.Host}'");
                }
                else
                {
                    Fail("Host", null, "give Host (the IP address or name of a Modbus TCP device) or Rtu (a serial port such as /dev/ttyUSB0)");
                }
            }
            else if (tcp && Uri.CheckHostName(d.Host) == UriHostNameType.Unknown)
            {
                Fail("Host", d.Host, "expected an IP address or host name (the port goes in Port)");
            }
            if (d.Port is < 1 or > 65535)
            {
                Fail("Port", d.Port, "expected a TCP port 1 to 65535 (Modbus TCP: 502)");
            }
            if (!ModbusEndpoint.StandardBaudRates.Contains(d.Baud))
            {
                Fail("Baud", d.Baud, $"expected a standard baud rate ({string.Join(", ", ModbusEndpoint.StandardBaudRates)})");
            }
            if (d.CadenceS is not (>= 1 and <= 3600))
            {
                Fail("CadenceS", d.CadenceS, "expected seconds from 1 to 3600");
            }
            if (d.TimeoutMs is < 10 or > 60_000)
            {
                Fail("TimeoutMs", d.TimeoutMs, "expected milliseconds from 10 to 60000");
            }
            if (d.Retries is < 0 or > 10)
            {
                Fail("Retries", d.Retries, "expected 0 to 10");
            }
            if (d.DelayMs is < 0 or > 10_000)
            {
                Fail("DelayMs", d.DelayMs, "expected milliseconds from 0 to 10000");
            }

            ModbusEndpoint? endpoint = errors.Count > before ? null : tcp ? ModbusEndpoint.Tcp(d.Host.Trim(), d.Port) : ModbusEndpoint.Rtu(d.Rtu.Trim(), d.Baud);
            if (endpoint is { IsRtu: true })
            {
                if (bauds.TryGetValue(endpoint.Key, out var first) && devices[first]!.Baud != d.Baud)
                {
                    Fail("Baud", d.Baud, $"{endpoint.SerialPort} runs at {devices[first]!.Baud} baud for {Section}:{first} '{devices[first]!.Name}'; the devices on one serial port share its baud rate");
                }
                bauds.TryAdd(endpoint.Key, i);
            }

            var unitList = d.Units ?? [];
            if (unitList.Count == 0)
            {
                Fail("Units", null, "expected a non-empty list of Modbus unit ids 1 to 247, e.g. [1] (edgeagent probe --scan finds them)");
            }
            var seen = new HashSet<int>();
            for (var u = 0; u < unitList.Count; u++)
            {
                var unit = unitList[u];
                if (unit is < 1 or > 247)
                {
                    Fail($"Units:{u}", unit, "expected a Modbus unit id 1 to 247");
                }
                else if (!seen.Add(unit))
                {
                    Fail($"Units:{u}", unit, "this unit id appears twice in the list");
                }
                else if (endpoint is not null && units.TryGetValue((endpoint.Key, unit), out var owner))
                {
                    Fail($"Units:{u}", unit, $"unit {unit} on {endpoint.Name} is already read by {Section}:{owner} '{devices[owner]!.Name}'");
                }
                else if (endpoint is not null)
                {
                    units[(endpoint.Key, unit)] = i;
                }
            }

            RegisterMap? map = null;
            if (!string.IsNullOrWhiteSpace(d.Map))
            {
                try
                {
                    map = RegisterMap.Load(RegisterMap.Resolve(d.Map));
                }
                catch (InputException ex)
                {
                    Fail("Map", null, ex.Message);
                }
                if (unitList.Count > 1)
                {
                    Fail("Units", null, $"a register-map device reads exactly one unit id, got {unitList.Count} (list one device per unit)");
                }
            }

            if (errors.Count == before && endpoint is not null)
            {
                configured.Add(new ConfiguredDevice(d.Name, endpoint, [.. unitList.Select(u => (byte)u)], map, map is null ? null : d.Map,
                    TimeSpan.FromSeconds(d.CadenceS), TimeSpan.FromMilliseconds(d.TimeoutMs), d.Retries, TimeSpan.FromMilliseconds(d.DelayMs)));
            }
        }
        return (configured, errors);
    }
}
