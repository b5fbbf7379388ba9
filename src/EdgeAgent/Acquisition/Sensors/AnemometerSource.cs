using System.Device.Gpio;
using System.Globalization;

namespace PvEdge.EdgeAgent.Acquisition.Sensors;

/// <summary>A pulse cup anemometer on a GPIO pin: <c>wind_speed_ms = ms_per_hz × f + offset_ms</c> with f the pulse rate since the
/// previous read (0 m/s when the cups did not turn); a read sooner than half the cadence after the previous one is missing, its
/// pulses counted in the next window.</summary>
public sealed class AnemometerSource : PulseSource
{
    private static readonly string[] Produces = [SensorQuantities.WindSpeedMs];
    private readonly double _msPerHz;

    public AnemometerSource(SensorConfig config, GpioController controller, TimeProvider time, bool shouldDispose = false)
        : base(config, controller, time, shouldDispose)
    {
        _msPerHz = config.MsPerHz is > 0 and var v ? v : throw new ArgumentException("ms_per_hz must be > 0", nameof(config));
    }

    public override IReadOnlyList<string> Quantities => Produces;

    /// <summary>Pulse frequency of the last read, Hz.</summary>
    public double? LastHz { get; private set; }

    /// <summary>Half the configured cadence: a rate counted over a much shorter window than its neighbours' would weigh as much in
    /// the minute's mean (in a CI run on a loaded machine a minute of 3.2 m/s read 2.67, as five windows at 3.2 and one too short to
    /// hold a pulse, read as calm, would give).</summary>
    protected override TimeSpan MinimumWindow => TimeSpan.FromSeconds(Math.Max(0.001, Config.CadenceS / 2));

    protected override IReadOnlyList<Reading> Interpret(PulseSnapshot previous, PulseSnapshot now, DateTimeOffset at)
    {
        const string q = SensorQuantities.WindSpeedMs;
        var windowS = Seconds(now.NowTicks - previous.NowTicks);
        var hz = (now.Count - previous.Count) / windowS;
        LastHz = hz;
        var ms = hz > 0 ? _msPerHz * hz + Config.OffsetMs : 0;
        return ms <= Config.MaxMs
            ? [Good(q, ms, at)]
            : [Suspect(q, ms, at, string.Create(CultureInfo.InvariantCulture, $"{ms:0.#} m/s ({hz:0.#} Hz) is above max_ms {Config.MaxMs}"))];
    }
}
