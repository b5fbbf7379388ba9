using System.Device.Gpio;
using System.Globalization;

namespace PvEdge.EdgeAgent.Acquisition.Sensors;

/// <summary>An energy meter's S0 output (DIN 43864 / EN 62053-31) on a GPIO pin: every pulse is 1/<c>impulses_per_kwh</c> kWh.
/// <c>meter_energy_kwh</c> is <c>initial_kwh</c> plus the pulses counted since start; <c>meter_power_w</c> is the mean over the
/// pulse intervals that ended since the previous read, and without a new pulse it decays as one pulse's energy over the time
/// since the last pulse (the power cannot have been higher, or a pulse would have come). Before the second pulse it is missing.</summary>
public sealed class S0MeterSource : PulseSource
{
    private static readonly string[] Produces = [SensorQuantities.MeterEnergyKwh, SensorQuantities.MeterPowerW];
    private readonly double _whPerPulse;
    private double? _lastPowerW;

    public S0MeterSource(SensorConfig config, GpioController controller, TimeProvider time, bool shouldDispose = false)
        : base(config, controller, time, shouldDispose)
    {
        var ipk = config.ImpulsesPerKwh is > 0 and var v ? v : throw new ArgumentException("impulses_per_kwh must be > 0", nameof(config));
        _whPerPulse = 1000.0 / ipk;
    }

    public override IReadOnlyList<string> Quantities => Produces;

    protected override IReadOnlyList<Reading> Interpret(PulseSnapshot previous, PulseSnapshot now, DateTimeOffset at)
    {
        var energy = Good(SensorQuantities.MeterEnergyKwh, Config.InitialKwh + now.Count * _whPerPulse / 1000.0, at);
        return [energy, Power(previous, now, at)];
    }

    private Reading Power(PulseSnapshot previous, PulseSnapshot now, DateTimeOffset at)
    {
        const string q = SensorQuantities.MeterPowerW;
        var newPulses = now.Count - previous.Count;
        if (newPulses > 0 && now.LastPulseTicks is { } last)
        {
            // Intervals that ended in this window: from the last pulse before it, or from the very first pulse.
            var (from, intervals) = previous.LastPulseTicks is { } before
                ? (before, newPulses)
                : (now.FirstPulseTicks ?? last, newPulses - 1);
            if (intervals > 0 && last > from)
            {
                var watts = intervals * _whPerPulse * 3600.0 / Seconds(last - from);
                _lastPowerW = watts;
                return watts <= Config.MaxPowerW
                    ? Good(q, watts, at)
                    : Suspect(q, watts, at, string.Create(CultureInfo.InvariantCulture, $"{watts:0} W is above max_power_w {Config.MaxPowerW}: check impulses_per_kwh and debounce_ms"));
            }
        }
        if (_lastPowerW is { } lastPower && now.LastPulseTicks is { } lastPulse)
        {
            var silentS = Seconds(now.NowTicks - lastPulse);
            var bound = silentS > 0 ? _whPerPulse * 3600.0 / silentS : lastPower;
            if (bound < lastPower)
            {
                return Good(q, bound, at, string.Create(CultureInfo.InvariantCulture, $"no pulse for {silentS:0} s: at most one pulse's energy over that time"));
            }
            return Good(q, lastPower, at);
        }
        return Missing(q, at, now.Count == 0 ? "no pulse since start" : "one pulse since start: power needs two");
    }
}
