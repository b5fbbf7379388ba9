using PvEdge.Modbus;
using PvEdge.Modbus.Client;

namespace PvEdge.EdgeAgent.Acquisition.SunSpec;

/// <summary>Polls SunSpec devices (an inverter and optionally a met station) behind one Modbus endpoint through its bridge.
/// Discovers each unit's model chain on first use (and again after a failure), then reads the models that carry readings.
/// Never throws for device trouble: a unit that cannot be read yields Missing readings naming the reason.</summary>
public sealed class SunSpecReadingSource : IReadingSource
{
    private static readonly int[] ModelsRead = [101, 102, 103, 111, 112, 113, 160, 302, 303, 307, 308];
    private static readonly string[] CoreQuantities = ["ac_power_w", "dc_power_w", "energy_total_kwh", "inverter_state"];

    private readonly IModbusRegisterReader _reader;
    private readonly IReadOnlyList<byte> _unitIds;
    private readonly TimeProvider _time;
    private readonly SunSpecModelCatalog _catalog;
    private readonly Dictionary<byte, SunSpecDevice> _devices = [];
    private readonly Dictionary<byte, string[]> _lastQuantities = [];

    public SunSpecReadingSource(string name, IModbusRegisterReader reader, IReadOnlyList<byte> unitIds, TimeSpan cadence, TimeProvider timeProvider, SunSpecModelCatalog? catalog = null)
    {
        ArgumentOutOfRangeException.ThrowIfZero(unitIds.Count, nameof(unitIds));
        Name = name;
        _reader = reader;
        _unitIds = unitIds;
        Cadence = cadence;
        _time = timeProvider;
        _catalog = catalog ?? SunSpecModelCatalog.Default;
    }

    public string Name { get; }

    public TimeSpan Cadence { get; }

    /// <summary>"192.168.1.50:502 unit 1" or "/dev/ttyUSB0@9600 unit 1, 2".</summary>
    public string Endpoint => $"{_reader.Endpoint} unit {string.Join(", ", _unitIds)}";

    /// <summary>The devices discovered so far, by unit id.</summary>
    public IReadOnlyDictionary<byte, SunSpecDevice> Devices => _devices;

    public async Task<IReadOnlyList<Reading>> ReadAsync(CancellationToken cancellationToken)
    {
        var readings = new List<Reading>();
        foreach (var unit in _unitIds)
        {
            readings.AddRange(await ReadUnitAsync(unit, cancellationToken).ConfigureAwait(false));
        }
        return readings;
    }

    private async Task<IReadOnlyList<Reading>> ReadUnitAsync(byte unit, CancellationToken cancellationToken)
    {
        var source = $"{Name}/unit{unit}";
        try
        {
            if (!_devices.TryGetValue(unit, out var device))
            {
                device = await SunSpecDiscovery.DiscoverAsync(_reader, unit, cancellationToken).ConfigureAwait(false)
                    ?? throw new SunSpecNotFoundException($"unit {unit} at {_reader.Endpoint} answers but has no SunSpec marker at 40000, 0 or 50000");
                _devices[unit] = device;
            }
            var models = new List<SunSpecModelValues>();
            foreach (var location in device.Models.Where(m => ModelsRead.Contains(m.Id)))
            {
                if (await SunSpecDiscovery.ReadModelAsync(_reader, unit, location, _catalog, cancellationToken).ConfigureAwait(false) is { } values)
                {
                    models.Add(values);
                }
            }
            var readings = SunSpecReadings.ToReadings(models, _time.GetUtcNow(), source);
            _lastQuantities[unit] = [.. readings.Select(r => r.Quantity)];
            return readings;
        }
        catch (Exception ex) when (ex is ModbusException or SunSpecNotFoundException)
        {
            _devices.Remove(unit); // rediscover next time: the device may have restarted with another layout
            var now = _time.GetUtcNow();
            var quantities = _lastQuantities.TryGetValue(unit, out var q) ? q : unit == _unitIds[0] ? CoreQuantities : [];
            return [.. quantities.Select(quantity => Reading.Missing(quantity, now, source, ex.Message))];
        }
    }
}

/// <summary>The unit answers Modbus but is not a SunSpec device.</summary>
public sealed class SunSpecNotFoundException : Exception
{
    public SunSpecNotFoundException(string message) : base(message)
    {
    }

    public SunSpecNotFoundException()
    {
    }

    public SunSpecNotFoundException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
