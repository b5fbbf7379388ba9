using System.Device.Gpio;
using System.Device.I2c;

namespace PvEdge.EdgeAgent.Acquisition.Sensors.Simulation;

/// <summary>What the simulated sensors measure.</summary>
public sealed record SimulatedWeather(
    double PoaWm2 = 640,
    double TempAirC = 21.5,
    double HumidityPct = 48,
    double PressurePa = 101_325,
    double TempModuleC = 38.2,
    double WindSpeedMs = 3.2,
    double MeterPowerW = 2_300);

/// <summary>The twins of every configured sensor, on one <see cref="SimulationClock"/>: a <see cref="SimulatedBme280"/> or
/// <see cref="SimulatedAds1115"/> at each configured I²C address (the ADC's input set from the pyranometer's sensitivity),
/// a <see cref="SimulatedOneWireBus"/> with the configured probes (three if none are named), and a <see cref="SimulatedGpioDriver"/>
/// whose meter and anemometer pins pulse at the rates the weather implies while <see cref="SettleAsync"/> advances the clock.
/// Used by the tests and by the demo when no hardware exists.</summary>
public sealed class SimulatedSensorHardware : ISensorHardware
{
    /// <summary>Probe ids used when a ds18b20 sensor names none.</summary>
    public static readonly string[] DefaultProbeIds = ["28-00000a1b2c3d", "28-00000a1b2c4e", "28-00000a1b2c5f"];

    private readonly SensorOptions _options;
    private readonly Dictionary<(int Bus, int Address), SimulatedI2cDevice> _chips = [];
    private readonly Lazy<SimulatedOneWireBus> _oneWire;
    private readonly Dictionary<int, PulsePlan> _pulsePins = [];
    private readonly Lock _gate = new();
    private ITimer? _live;

    /// <summary>Twins on a clock that moves only through <see cref="SettleAsync"/> (tests, <c>probe --simulated</c>).</summary>
    public SimulatedSensorHardware(SensorOptions options, DateTimeOffset startUtc, SimulatedWeather? weather = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        Clock = new SimulationClock(startUtc);
        Driver = new SimulatedGpioDriver(Clock);
        Gpio = new GpioController(Driver);
        _oneWire = new Lazy<SimulatedOneWireBus>(() => new SimulatedOneWireBus());
        Weather = weather ?? new SimulatedWeather();
        Apply();
    }

    /// <summary>Twins that follow <paramref name="liveTime"/> (the agent's demo): every 50 ms of it the simulation catches up,
    /// pulsing the GPIO pins as the time passes, so sources read live values at their own cadence.</summary>
    public SimulatedSensorHardware(SensorOptions options, TimeProvider liveTime, SimulatedWeather? weather = null)
        : this(options, (liveTime ?? throw new ArgumentNullException(nameof(liveTime))).GetUtcNow(), weather)
    {
        var period = TimeSpan.FromMilliseconds(50);
        _live = liveTime.CreateTimer(_ => SettleTo(liveTime.GetUtcNow()), null, period, period);
    }

    public string Description => "simulated twins";

    public SimulationClock Clock { get; }

    public TimeProvider Time => Clock;

    public SimulatedGpioDriver Driver { get; }

    public GpioController Gpio { get; }

    public SimulatedOneWireBus OneWireBus => _oneWire.Value;

    public SimulatedWeather Weather { get; private set; }

    /// <summary>The twin at an address, created on first use.</summary>
    public SimulatedI2cDevice Chip(int bus, int address)
    {
        if (!_chips.TryGetValue((bus, address), out var chip))
        {
            chip = address is 0x76 or 0x77 ? new SimulatedBme280(bus, address) : new SimulatedAds1115(bus, address);
            _chips[(bus, address)] = chip;
        }
        return chip;
    }

    /// <summary>Changes what the twins measure.</summary>
    public void SetWeather(SimulatedWeather weather)
    {
        ArgumentNullException.ThrowIfNull(weather);
        lock (_gate)
        {
            Weather = weather;
            Apply();
        }
    }

    public I2cDevice OpenI2c(int bus, int address) => new Handle(Chip(bus, address));

    public OneWireThermometerReader OneWire(string devicesRoot) => OneWireBus.CreateReader();

    /// <summary>Advances the clock by <paramref name="span"/>, pulsing the meter and anemometer pins at their rates.</summary>
    public Task SettleAsync(TimeSpan span, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        SettleTo(Clock.GetUtcNow() + span);
        return Task.CompletedTask;
    }

    /// <summary>Plays every edge due up to <paramref name="end"/> in time order (pulses on different pins interleave exactly).</summary>
    private void SettleTo(DateTimeOffset end)
    {
        lock (_gate)
        {
            while (true)
            {
                var due = _pulsePins.Where(p => p.Value.Hz > 0).OrderBy(p => p.Value.NextEdge).FirstOrDefault();
                if (due.Value is not { } plan || plan.NextEdge > end)
                {
                    break;
                }
                Driver.Edge(due.Key, plan.LineLow ? PinEventTypes.Rising : PinEventTypes.Falling, plan.NextEdge - Clock.GetUtcNow());
                _pulsePins[due.Key] = plan.LineLow
                    ? plan with { LineLow = false, NextEdge = plan.PulseStart + TimeSpan.FromSeconds(1 / plan.Hz) }
                    : plan with { LineLow = true, PulseStart = plan.NextEdge, NextEdge = plan.NextEdge + plan.Width };
            }
            var left = end - Clock.GetUtcNow();
            Clock.Advance(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }
    }

    private void Apply()
    {
        foreach (var s in _options.Sensors)
        {
            switch (s.Kind)
            {
                case SensorKind.Bme280 when Chip(s.Bus, s.EffectiveAddress) is SimulatedBme280 bme:
                    bme.TemperatureC = Weather.TempAirC;
                    bme.HumidityPct = Weather.HumidityPct;
                    bme.PressurePa = Weather.PressurePa;
                    break;
                case SensorKind.Pyranometer when Chip(s.Bus, s.EffectiveAddress) is SimulatedAds1115 ads:
                    var uv = Weather.PoaWm2 * (s.SensitivityUvPerWm2 ?? 10) + s.OffsetUv;
                    var channel = s.Channel.ToUpperInvariant();
                    if (channel.Length == 4)
                    {
                        ads.SetInputVolts(channel[3] - '0', uv * 1e-6); // single-ended AINn
                    }
                    else
                    {
                        ads.SetDifferentialMicrovolts(channel[3] - '0', channel[8] - '0', uv); // AINp_AINn
                    }
                    break;
                case SensorKind.Ds18b20:
                    var ids = s.Probes.Count > 0 ? s.Probes : (IEnumerable<string>)DefaultProbeIds;
                    var k = 0;
                    foreach (var id in ids)
                    {
                        // Probes on one module differ by a few tenths of a degree.
                        OneWireBus.AddThermometer(id, Weather.TempModuleC + 0.3 * (k++ - 1));
                    }
                    break;
                case SensorKind.S0Meter when s.Pin is { } pin && s.ImpulsesPerKwh is { } ipk:
                    SetPulses(pin, Weather.MeterPowerW * ipk / 3.6e6, TimeSpan.FromMilliseconds(30));
                    break;
                case SensorKind.Anemometer when s.Pin is { } pin && s.MsPerHz is { } f:
                    var hz = Math.Max(0, Weather.WindSpeedMs - s.OffsetMs) / f;
                    SetPulses(pin, hz, TimeSpan.FromSeconds(Math.Min(0.02, 0.4 / Math.Max(hz, 1))));
                    break;
                default:
                    break;
            }
        }
    }

    private void SetPulses(int pin, double hz, TimeSpan width)
    {
        _pulsePins[pin] = _pulsePins.TryGetValue(pin, out var old)
            ? old with { Hz = hz, Width = width }
            : new PulsePlan(hz, width, Clock.GetUtcNow() + TimeSpan.FromMilliseconds(100), Clock.GetUtcNow(), LineLow: false);
    }

    /// <summary>A pin's pulse train: the next edge, and whether the line is low (inside a pulse) until then.</summary>
    private sealed record PulsePlan(double Hz, TimeSpan Width, DateTimeOffset NextEdge, DateTimeOffset PulseStart, bool LineLow);

    public void Dispose()
    {
        _live?.Dispose();
        _live = null;
        lock (_gate)
        {
            _pulsePins.Clear();
        }
        Gpio.Dispose();
        if (_oneWire.IsValueCreated)
        {
            _oneWire.Value.Dispose();
        }
        foreach (var chip in _chips.Values)
        {
            chip.Dispose();
        }
    }

    /// <summary>What a source gets from <see cref="OpenI2c"/>: disposing it does not destroy the twin, which tests keep driving.</summary>
    private sealed class Handle(SimulatedI2cDevice chip) : I2cDevice
    {
        private bool _disposed;

        public override I2cConnectionSettings ConnectionSettings => chip.ConnectionSettings;

        public override void Read(Span<byte> buffer)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            chip.Read(buffer);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            chip.Write(buffer);
        }

        public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            chip.WriteRead(writeBuffer, readBuffer);
        }

        protected override void Dispose(bool disposing)
        {
            _disposed = true;
            base.Dispose(disposing);
        }
    }
}
