using PvEdge.InverterSimulator.Faults;
using PvEdge.InverterSimulator.Plant;
using PvEdge.InverterSimulator.Registers;
using PvEdge.Modbus.Server;

namespace PvEdge.InverterSimulator;

/// <summary>Turns the plant's state at the simulated time into register values, applying the fault schedule:
/// integrates energy, derives the inverter state, freezes sensors, and tells the server when to stall or corrupt replies.</summary>
public sealed class SimulatorEngine
{
    private const double NightPoaWm2 = 5;
    private readonly IPlantState _plant;
    private readonly TimeProvider _clock;
    private readonly FaultSchedule _faults;
    private readonly SimulatedInverter _inverter;
    private readonly SimulatedMetStation _met;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, double> _frozen = [];
    private readonly double[] _mpptEnergyWh;
    private DateTimeOffset? _last;
    private double _lastAcW;
    private double[] _lastDcW;

    public SimulatorEngine(IPlantState plant, TimeProvider clock, FaultSchedule faults, SimulatedInverter inverter, SimulatedMetStation met, double initialEnergyKwh)
    {
        _plant = plant;
        _clock = clock;
        _faults = faults;
        _inverter = inverter;
        _met = met;
        EnergyWh = initialEnergyKwh * 1000;
        _mpptEnergyWh = [EnergyWh * 0.6, EnergyWh * 0.4];
        _lastDcW = new double[2];
    }

    /// <summary>Lifetime AC energy published in model 103 WH.</summary>
    public double EnergyWh { get; private set; }

    /// <summary>The last published values.</summary>
    public InverterOutput? LastInverter { get; private set; }

    public MetOutput? LastMet { get; private set; }

    /// <summary>The simulated time now.</summary>
    public DateTimeOffset Now => _clock.GetUtcNow();

    /// <summary>Fault hook for the Modbus server: stall or corrupt replies while such a fault is scheduled.</summary>
    public ModbusServerFault FaultFor(ModbusRequestInfo request)
    {
        var now = _clock.GetUtcNow();
        return _faults.Active(FaultKind.CommStall, now) is not null ? ModbusServerFault.Stall
            : _faults.Active(FaultKind.MalformedReplies, now) is not null ? ModbusServerFault.Malformed
            : ModbusServerFault.None;
    }

    /// <summary>Recomputes and publishes the registers for the simulated time now (at most once per simulated second).</summary>
    public void Refresh()
    {
        lock (_lock)
        {
            var now = _clock.GetUtcNow();
            if (_last is { } previous && now - previous < TimeSpan.FromSeconds(1))
            {
                return;
            }
            var sample = _plant.Sample(now);
            var dc = sample.DcPowerW.Select(p => Math.Max(0, p)).ToArray();
            var volts = sample.DcVoltageV.ToArray();
            var ac = Math.Max(0, sample.AcPowerW);
            var state = sample.PoaWm2 < NightPoaWm2 || ac <= 0 ? 2 : 4; // SLEEPING : MPPT

            foreach (var aging in _faults.Faults.Where(f => f.Kind == FaultKind.Degradation && f.IsActive(now)))
            {
                var share = aging.RemainingShare(now);
                ac *= share;
                for (var k = 0; k < dc.Length; k++)
                {
                    dc[k] *= share;
                }
            }
            if (_faults.Active(FaultKind.Mppt2Outage, now) is not null && dc.Length > 1)
            {
                var total = dc.Sum();
                ac = total > 0 ? ac * (total - dc[1]) / total : 0;
                dc[1] = 0;
                volts[1] = 0;
            }
            if (_faults.Active(FaultKind.Throttle, now) is { } throttle)
            {
                var limit = _plant.AcRatingW * throttle.LimitPct / 100;
                if (ac > limit)
                {
                    var ratio = ac > 0 ? limit / ac : 0;
                    ac = limit;
                    for (var k = 0; k < dc.Length; k++)
                    {
                        dc[k] *= ratio;
                    }
                }
                if (state == 4)
                {
                    state = 5; // THROTTLED
                }
            }
            if (_faults.Active(FaultKind.Outage, now) is not null)
            {
                ac = 0;
                Array.Clear(dc);
                state = 1; // OFF: no grid, nothing fed in, no fault code
            }
            if (_faults.Active(FaultKind.InverterFault, now) is not null)
            {
                ac = 0;
                Array.Clear(dc);
                state = 7; // FAULT
            }

            if (_last is { } t0 && now > t0)
            {
                var hours = (now - t0).TotalHours;
                EnergyWh += (ac + _lastAcW) / 2 * hours;
                for (var k = 0; k < Math.Min(dc.Length, _mpptEnergyWh.Length); k++)
                {
                    _mpptEnergyWh[k] += (dc[k] + _lastDcW[k]) / 2 * hours;
                }
            }
            _last = now;
            _lastAcW = ac;
            _lastDcW = dc;

            LastInverter = new InverterOutput(ac, dc, volts, EnergyWh, _mpptEnergyWh.ToArray(), state, 230, 50, sample.TempAirC + 5 + ac / 500);
            _inverter.Update(LastInverter);

            var frozen = _faults.Active(FaultKind.FrozenSensor, now);
            if (frozen is null)
            {
                _frozen.Clear();
            }
            double Sensor(string name, double live) =>
                frozen is not null && (frozen.Sensor == "all" || frozen.Sensor == name)
                    ? _frozen.TryGetValue(name, out var held) ? held : _frozen[name] = live
                    : live;
            LastMet = new MetOutput(Sensor("ghi", sample.GhiWm2), Sensor("poa", sample.PoaWm2), sample.DhiWm2, sample.DniWm2,
                Sensor("temp_module", sample.TempModuleC), Sensor("temp_air", sample.TempAirC), Sensor("wind", sample.WindSpeedMs));
            _met.Update(LastMet);
        }
    }
}
