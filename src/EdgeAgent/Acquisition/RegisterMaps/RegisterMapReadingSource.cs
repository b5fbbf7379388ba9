using PvEdge.Modbus;
using PvEdge.Modbus.Client;

namespace PvEdge.EdgeAgent.Acquisition.RegisterMaps;

/// <summary>Polls a non-SunSpec inverter through its <see cref="RegisterMap"/>. Points are coalesced into as few reads as possible
/// (at most 125 registers, gaps up to 32 registers bridged). A failed read makes its points Missing with the reason; never throws for device trouble.</summary>
public sealed class RegisterMapReadingSource : IReadingSource
{
    private const int MaxGap = 32;
    private readonly IModbusRegisterReader _reader;
    private readonly byte _unitId;
    private readonly TimeProvider _time;
    private readonly List<(RegisterTable Table, ushort Start, int Count, List<RegisterPoint> Points)> _blocks;

    public RegisterMapReadingSource(string name, RegisterMap map, IModbusRegisterReader reader, byte unitId, TimeSpan cadence, TimeProvider timeProvider)
    {
        Name = name;
        Map = map;
        _reader = reader;
        _unitId = unitId;
        Cadence = cadence;
        _time = timeProvider;
        _blocks = Plan(map.Points);
    }

    public string Name { get; }

    public TimeSpan Cadence { get; }

    /// <summary>"192.168.1.50:502 unit 1" or "/dev/ttyUSB0@9600 unit 3".</summary>
    public string Endpoint => $"{_reader.Endpoint} unit {_unitId}";

    public RegisterMap Map { get; }

    /// <summary>The reads one poll makes: (table, start, count).</summary>
    public IEnumerable<(RegisterTable Table, ushort Start, int Count)> Reads => _blocks.Select(b => (b.Table, b.Start, b.Count));

    public async Task<IReadOnlyList<Reading>> ReadAsync(CancellationToken cancellationToken)
    {
        var readings = new List<Reading>();
        var source = $"{Name}/unit{_unitId}";
        foreach (var (table, start, count, points) in _blocks)
        {
            var registers = new ushort[count];
            string? error = null;
            try
            {
                if (table == RegisterTable.Input)
                {
                    await _reader.ReadInputRegistersAsync(_unitId, start, registers, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await _reader.ReadHoldingRegistersAsync(_unitId, start, registers, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (ModbusException ex)
            {
                error = ex.Message;
            }
            var now = _time.GetUtcNow();
            foreach (var p in points)
            {
                if (error is not null)
                {
                    readings.Add(Reading.Missing(p.Quantity, now, source, error));
                    continue;
                }
                var value = p.Decode(registers.AsSpan(p.Address - start, p.Size));
                if (value is null)
                {
                    readings.Add(Reading.Missing(p.Quantity, now, source, "not implemented (sentinel value)"));
                }
                else if (p.States is { } states)
                {
                    readings.Add(states.TryGetValue((int)value.Value, out var state)
                        ? Reading.Good(p.Quantity, (int)state, now, source)
                        : Reading.Missing(p.Quantity, now, source, $"state code {value.Value} is not in map {Map.File}"));
                }
                else
                {
                    readings.Add(Reading.Good(p.Quantity, value.Value, now, source));
                }
            }
        }
        return readings;
    }

    private static List<(RegisterTable, ushort, int, List<RegisterPoint>)> Plan(IEnumerable<RegisterPoint> points)
    {
        var blocks = new List<(RegisterTable, ushort, int, List<RegisterPoint>)>();
        foreach (var group in points.GroupBy(p => p.Table))
        {
            List<RegisterPoint>? current = null;
            int start = 0, end = 0;
            foreach (var p in group.OrderBy(p => p.Address))
            {
                var pEnd = p.Address + p.Size;
                if (current is not null && p.Address - end <= MaxGap && Math.Max(end, pEnd) - start <= ModbusConstants.MaxReadRegisters)
                {
                    current.Add(p);
                    end = Math.Max(end, pEnd);
                    continue;
                }
                if (current is not null)
                {
                    blocks.Add((group.Key, (ushort)start, end - start, current));
                }
                current = [p];
                start = p.Address;
                end = pEnd;
            }
            if (current is not null)
            {
                blocks.Add((group.Key, (ushort)start, end - start, current));
            }
        }
        return blocks;
    }
}
