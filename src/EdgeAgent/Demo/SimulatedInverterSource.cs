using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Inference;
using PvEdge.EdgeAgent.Weather;
using PvEdge.Shared.Weather;

namespace PvEdge.EdgeAgent.Demo;

/// <summary>A fault the in-process simulated inverter plays between two instants.</summary>
public sealed record SimulatedFault(DateTimeOffset StartUtc, DateTimeOffset EndUtc, string Type);

/// <summary>An IN-PROCESS FAKE inverter for the demo and tests (not Modbus): AC power from the site's power model under clear sky ×
/// the stochastic cloud process (a different seed mix from the forecast's, so forecasts are imperfect), with two MPPTs, a lifetime
/// energy counter, SunSpec operating states and a fault schedule: "outage" (no power, state OFF), "inverter_fault" (state FAULT),
/// "string_loss" (MPPT 2 dead), "communication_lost" (every value missing).</summary>
public sealed class SimulatedInverterSource : IReadingSource
{
    private readonly IPowerModel _model;
    private readonly IClearSkyModel _clearSky;
    private readonly TimeProvider _time;
    private readonly StochasticCloudGenerator _forecastClouds;
    private readonly StochasticCloudGenerator _localClouds;
    private readonly Random _noise;
    private double _energyKwh = 12_345.0;
    private DateTimeOffset? _last;

    public SimulatedInverterSource(IPowerModel model, IClearSkyModel clearSky, TimeProvider time, int cloudSeed, TimeSpan cadence, IReadOnlyList<SimulatedFault>? faults = null)
    {
        _model = model;
        _clearSky = clearSky;
        _time = time;
        _forecastClouds = new StochasticCloudGenerator(cloudSeed);
        _localClouds = new StochasticCloudGenerator(cloudSeed + 1000, 0.8);
        _noise = new Random(cloudSeed);
        Cadence = cadence;
        Faults = faults ?? [];
    }

    public string Name => "simulated-inverter";

    public TimeSpan Cadence { get; }

    public string Endpoint => "in-process simulator";

    public IReadOnlyList<SimulatedFault> Faults { get; set; }

    public Task<IReadOnlyList<Reading>> ReadAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var fault = Faults.FirstOrDefault(f => now >= f.StartUtc && now < f.EndUtc)?.Type;
        string[] quantities = ["ac_power_w", "dc_power_w", "dc_power_w__mppt1", "dc_power_w__mppt2", "energy_total_kwh", "inverter_state"];
        if (fault == "communication_lost")
        {
            return Task.FromResult<IReadOnlyList<Reading>>(quantities.Select(q => Reading.Missing(q, now, Name, "no answer (simulated)")).ToList());
        }
        var step = TimeSpan.FromMinutes(1);
        var cs = _clearSky.At(now, step);
        // the plant sees the forecast's clouds mixed with local, faster ones
        var kf = _forecastClouds.ClearSkyIndex(now);
        var kl = _localClouds.ClearSkyIndex(now);
        var k = Math.Clamp(0.8 * kf + 0.2 * kl, 0.05, 1.1);
        var cosZ = cs.DniWm2 > 1 ? Math.Max(0, (cs.GhiWm2 - cs.DhiWm2) / cs.DniWm2) : 0;
        var dni = cs.DniWm2 * StochasticCloudGenerator.BeamFraction(k);
        var ghi = cs.GhiWm2 * k;
        var weather = new WeatherPoint(now, ghi, dni, Math.Max(0, ghi - dni * cosZ), 15, 2);
        var ac = Math.Max(0, _model.ExpectedAcW(weather, step) * (1 + 0.01 * (_noise.NextDouble() - 0.5)));
        var state = ac > 1 ? 4.0 : 2.0; // SunSpec St: 4 MPPT, 2 SLEEPING
        var mppt1 = ac / 0.96 / 2;
        var mppt2 = mppt1;
        switch (fault)
        {
            case "outage":
                ac = 0;
                mppt1 = mppt2 = 0;
                state = 1; // OFF
                break;
            case "inverter_fault":
                ac = 0;
                mppt1 = mppt2 = 0;
                state = 7; // FAULT
                break;
            case "string_loss":
                mppt2 = 0;
                ac /= 2;
                break;
        }
        if (_last is { } last && now > last)
        {
            _energyKwh += ac * (now - last).TotalHours / 1000.0;
        }
        _last = now;
        IReadOnlyList<Reading> readings =
        [
            Reading.Good("ac_power_w", ac, now, Name),
            Reading.Good("dc_power_w", mppt1 + mppt2, now, Name),
            Reading.Good("dc_power_w__mppt1", mppt1, now, Name),
            Reading.Good("dc_power_w__mppt2", mppt2, now, Name),
            Reading.Good("energy_total_kwh", _energyKwh, now, Name),
            Reading.Good("inverter_state", state, now, Name),
        ];
        return Task.FromResult(readings);
    }
}
