using PvEdge.EdgeAgent.Weather;

namespace PvEdge.EdgeAgent.Inference;

/// <summary>Features → expected AC power of the site. Implemented by the physics model chain of the site file (PVWatts; also the
/// fallback when no bundle is present) and, when a bundle is loaded, by its ONNX chain or compiled formulas.</summary>
public interface IPowerModel
{
    /// <summary>Model id as published on the model and forecast topics.</summary>
    string Id { get; }

    /// <summary>"physics", "onnx" or "formulas".</summary>
    string Runner { get; }

    /// <summary>AC rating of the inverter(s), W (the site file's).</summary>
    double AcRatingW { get; }

    /// <summary>The most AC the model gives, W: the rating, or an export limit under it that the nightly re-tuning found in the history
    /// and fine-tuned with (<see cref="BundlePowerModel.Retuned"/>).</summary>
    double AcLimitW => AcRatingW;

    /// <summary>The model as delivered, when this one was re-tuned on the gateway from the site's recent history (else null): the reference
    /// for what must not follow that history (a new bundle's checks, the performance trend).</summary>
    IPowerModel? Delivered => null;

    /// <summary>DC nameplate, W.</summary>
    double DcRatingW { get; }

    /// <summary>Mean AC power over the interval [weather.StartUtc, + step) for that weather, W (0 at night, never negative).</summary>
    double ExpectedAcW(in WeatherPoint weather, TimeSpan step);

    /// <summary><see cref="ExpectedAcW(in WeatherPoint, TimeSpan)"/> of every interval, each of length <paramref name="step"/>, into
    /// <paramref name="acW"/>: one call where a model can batch (a bundle builds its features and runs its chain once for all).</summary>
    void ExpectedAcW(ReadOnlySpan<WeatherPoint> weather, TimeSpan step, Span<double> acW)
    {
        for (var i = 0; i < weather.Length; i++)
        {
            acW[i] = ExpectedAcW(weather[i], step);
        }
    }

    /// <summary>Expected AC power from measured plane-of-array irradiance and module temperature (sites with sensors), or null when the model cannot.</summary>
    double? ExpectedAcFromPoaW(double poaWm2, double moduleTempC);

    /// <summary>Relative residual quantiles (p10, p90) as fractions of the AC rating, for the forecast band.</summary>
    (double P10, double P90) ResidualQuantiles { get; }
}

/// <summary>What is read off any <see cref="IPowerModel"/>.</summary>
public static class PowerModels
{
    /// <summary>The export limit under the rating the model is held at (<see cref="IPowerModel.AcLimitW"/>), or null when it stops at the rating.</summary>
    public static double? ExportLimitW(this IPowerModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.AcLimitW < model.AcRatingW ? model.AcLimitW : null;
    }
}

/// <summary>Clear-sky irradiance and sun elevation at the site (from the physics library).</summary>
public interface IClearSkyModel
{
    /// <summary>Clear-sky GHI, DNI, DHI (W/m²) and apparent sun elevation (deg) averaged over [startUtc, + step).</summary>
    ClearSkyPoint At(DateTimeOffset startUtc, TimeSpan step);
}

/// <summary>Clear-sky irradiance of one interval.</summary>
public readonly record struct ClearSkyPoint(double GhiWm2, double DniWm2, double DhiWm2, double SunElevationDeg);
