using PvEdge.EdgeAgent.Acquisition.RegisterMaps;
using PvEdge.EdgeAgent.Acquisition.SunSpec;
using PvEdge.Modbus.Client;

namespace PvEdge.EdgeAgent.Acquisition.Devices;

/// <summary>The configured Modbus devices of a running agent: one reading source per device (SunSpec or register map), and one
/// <see cref="ModbusClient"/> + <see cref="ModbusBridge"/> per endpoint, shared by every device on it. Devices never own sockets:
/// disposing the set disposes the bridges, which close their clients.</summary>
public sealed class ModbusDeviceSet : IAsyncDisposable
{
    private readonly Dictionary<string, ModbusBridge> _bridgeOfDevice;
    private bool _disposed;

    private ModbusDeviceSet(IReadOnlyList<IReadingSource> sources, IReadOnlyList<ModbusBridge> bridges, Dictionary<string, ModbusBridge> bridgeOfDevice)
    {
        Sources = sources;
        Bridges = bridges;
        _bridgeOfDevice = bridgeOfDevice;
    }

    public static ModbusDeviceSet Empty { get; } = new([], [], []);

    /// <summary>One source per device, in configuration order.</summary>
    public IReadOnlyList<IReadingSource> Sources { get; }

    /// <summary>One bridge per endpoint, in order of first use.</summary>
    public IReadOnlyList<ModbusBridge> Bridges { get; }

    /// <summary>The bridge a device's requests go through.</summary>
    public ModbusBridge BridgeOf(string deviceName) => _bridgeOfDevice[deviceName];

    /// <summary>Builds the sources and bridges (nothing connects yet: each client opens its connection on the first read).
    /// Devices on one endpoint share its client, whose timeout and retries are the largest any of them asks for, and its bridge,
    /// whose pause between requests is the largest DelayMs among them.</summary>
    /// <param name="devices">checked by <see cref="DeviceValidation"/></param>
    /// <param name="plantClock">the agent's clock: reading timestamps</param>
    /// <param name="wallClock">real time: Modbus timeouts, back-off and the bridge's pauses</param>
    public static ModbusDeviceSet Create(IReadOnlyList<ConfiguredDevice> devices, TimeProvider plantClock, TimeProvider wallClock)
    {
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentNullException.ThrowIfNull(plantClock);
        ArgumentNullException.ThrowIfNull(wallClock);
        if (devices.Count == 0)
        {
            return Empty;
        }
        var bridges = new Dictionary<string, ModbusBridge>(StringComparer.Ordinal);
        var ordered = new List<ModbusBridge>();
        foreach (var group in devices.GroupBy(d => d.Endpoint.Key, StringComparer.Ordinal))
        {
            var client = group.First().Endpoint.CreateClient(new ModbusClientOptions
            {
                Timeout = group.Max(d => d.Timeout),
                Retries = group.Max(d => d.Retries),
            }, wallClock);
            var bridge = new ModbusBridge(client, new ModbusBridgeOptions { InterRequestDelay = group.Max(d => d.Delay) }, wallClock);
            bridges[group.Key] = bridge;
            ordered.Add(bridge);
        }
        var sources = new List<IReadingSource>(devices.Count);
        var ofDevice = new Dictionary<string, ModbusBridge>(StringComparer.OrdinalIgnoreCase);
        foreach (var d in devices)
        {
            var bridge = bridges[d.Endpoint.Key];
            ofDevice[d.Name] = bridge;
            sources.Add(d.Map is { } map
                ? new RegisterMapReadingSource(d.Name, map, bridge, d.Units[0], d.Cadence, plantClock)
                : new SunSpecReadingSource(d.Name, bridge, d.Units, d.Cadence, plantClock));
        }
        return new ModbusDeviceSet(sources, ordered, ofDevice);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed || ReferenceEquals(this, Empty))
        {
            return;
        }
        _disposed = true;
        foreach (var bridge in Bridges)
        {
            await bridge.DisposeAsync().ConfigureAwait(false);
        }
    }
}
