using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Inference;
using PvEdge.EdgeAgent.Weather;

namespace PvEdge.EdgeAgent.Anomalies;

/// <summary>Expected AC power for a measured interval: from the measured plane-of-array irradiance and module temperature when the site
/// has those sensors (and the model can use them), else from the weather the agent holds for that interval.</summary>
public sealed class ExpectedPower
{
    private readonly IPowerModel _model;
    private readonly WeatherState _weather;

    public ExpectedPower(IPowerModel model, WeatherState weather)
    {
        _model = model;
        _weather = weather;
    }

    public DetectorInput For(IntervalRecord measured)
    {
        var clear = _model.ExpectedAcW(WeatherState.ClearSkyWeather(_weather.ClearSky, measured.StartUtc, measured.Step), measured.Step);
        double? fromSensors = measured.Get("poa_wm2") is { } poa && measured.Get("temp_module_c") is { } tmod ? _model.ExpectedAcFromPoaW(poa, tmod) : null;
        var expected = fromSensors ?? _model.ExpectedAcW(_weather.At(measured.StartUtc, measured.Step), measured.Step);
        return new DetectorInput(measured, Math.Max(0, expected), Math.Max(0, clear));
    }
}
