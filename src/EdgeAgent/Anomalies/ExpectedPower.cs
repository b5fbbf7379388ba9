using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Inference;
using PvEdge.EdgeAgent.Weather;

namespace PvEdge.EdgeAgent.Anomalies;

/// <summary>Expected AC power for a measured interval: from the measured plane-of-array irradiance and module temperature when the site
/// has those sensors (and the model can use them), else from the weather the agent holds for that interval; and, when the model in use
/// was re-tuned on the gateway, the same from the model as delivered (<see cref="DetectorInput.ReferenceW"/>).</summary>
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
        var weather = _weather.At(measured.StartUtc, measured.Step);
        var expected = fromSensors ?? _model.ExpectedAcW(weather, measured.Step);
        // the performance trend's reference: the model as delivered when the one in use was re-tuned (from sensors, the site's physics either way)
        var reference = fromSensors is null ? Reference(weather, measured.Step) : null;
        return new DetectorInput(measured, Math.Max(0, expected), Math.Max(0, clear), reference, _model.AcLimitW);
    }

    // a failure there costs the trend one interval (it then uses the model in use), never the anomaly stage
    private double? Reference(in WeatherPoint weather, TimeSpan step)
    {
        try
        {
            return _model.Delivered is { } delivered ? Math.Max(0, delivered.ExpectedAcW(weather, step)) : null;
        }
        catch (Exception ex) when (Models.ModelSlot.IsInferenceFailure(ex))
        {
            return null;
        }
    }
}
