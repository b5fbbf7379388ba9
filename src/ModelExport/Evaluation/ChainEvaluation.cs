using PvEdge.Shared.Features;
using PvEdge.Shared.Learning.Chain;
using PvEdge.Shared.Physics;
using PvEdge.Shared.Sites;

namespace PvEdge.ModelExport.Evaluation;

/// <summary>Predictions of a site model and its baselines over a history, row by row (W).</summary>
public sealed record EvaluationSeries(ChainFeatureSet Features, double[] MeasuredW, double[] ModelW, double[] PvWattsW, double[] PersistenceW,
    double[] ShadingLearned, bool[] Scored)
{
    public ErrorMetrics Model => ErrorMetrics.Compute(ModelW, MeasuredW, Scored, Features.DcCapacityW);

    public ErrorMetrics PvWatts => ErrorMetrics.Compute(PvWattsW, MeasuredW, Scored, Features.DcCapacityW);

    public ErrorMetrics Persistence => ErrorMetrics.Compute(PersistenceW, MeasuredW, Scored, Features.DcCapacityW);
}

/// <summary>Runs a site chain and the baselines of formats.md over a history: PVWatts with the nameplate values (the
/// site file's tilt, azimuth and kWp, no shading) and smart persistence (the last measured interval scaled by the clear-sky
/// ratio, one interval ahead). Scored rows: sun up, AC measured, inverter not in fault.</summary>
public static class ChainEvaluation
{
    public static EvaluationSeries Run(ChainModel model, Site site, ChainFeatureSet features, double[] measuredAcW)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(measuredAcW);
        var n = features.Rows;
        var ac = new float[n];
        var s = new float[n];
        model.Predict(features.X, ac, [], [], s);
        var modelW = new double[n];
        var scored = new bool[n];
        for (var i = 0; i < n; i++)
        {
            modelW[i] = ac[i] * features.AcRatingW;
            scored[i] = features.IsDaylight(i) && !float.IsNaN(features.Y[i, ChainColumns.LabelAc]) && !double.IsNaN(measuredAcW[i]);
        }
        var (pvwatts, clear) = Baselines(site, features);
        var persistence = new double[n];
        for (var i = 0; i < n; i++)
        {
            var prev = i > 0 ? measuredAcW[i - 1] : double.NaN;
            var floor = 0.02 * features.AcRatingW;
            persistence[i] = i > 0 && !double.IsNaN(prev) && clear[i - 1] > floor
                ? prev * clear[i] / clear[i - 1]
                : pvwatts[i];
            if (!features.IsDaylight(i))
            {
                persistence[i] = 0;
            }
        }
        return new EvaluationSeries(features, measuredAcW, modelW, pvwatts, persistence, [.. s.Select(v => (double)v)], scored);
    }

    // PVWatts DC of every plane at the measured POA (no IAM: the pyranometer saw it), system losses, PVWatts inverter
    private static double PvWattsFromPoa(Site site, ChainFeatureSet features, int row)
    {
        var poa = features.X[row, ChainColumns.Ground] * 1000.0;
        var temp = (features.X[row, ChainColumns.TempAir] * 20.0) + 20;
        var wind = features.X[row, ChainColumns.Wind] * 10.0;
        var cell = site.CellTemperature.CellC(poa, temp, wind);
        var dc = site.Planes.Sum(p => PvWatts.DcPowerW(poa, cell, p.DcCapacityW, p.GammaPdcPerC)) * (1 - (site.LossesPct / 100));
        return PvWatts.Inverter(dc, site.Inverter.Pdc0W, site.Inverter.EtaNominal).AcPowerW;
    }

    /// <summary>PVWatts AC with nameplate values over the history's weather (over the measured POA for a POA-input model), and
    /// clear-sky AC at the same instants.</summary>
    public static (double[] PvWattsW, double[] ClearSkyW) Baselines(Site site, ChainFeatureSet features)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(features);
        var nameplate = new PvSystemModel(ChainFeatureSpecification.Unshaded(site));
        var n = features.Rows;
        var pv = new double[n];
        var clear = new double[n];
        var planes = new PlaneStep[site.Planes.Count];
        var weather = features.Weather;
        for (var i = 0; i < n; i++)
        {
            pv[i] = features.PoaInput ? PvWattsFromPoa(site, features, i)
                : weather is null ? double.NaN : nameplate.Simulate(weather[i], planes).AcPowerW;
            var mid = weather is null ? features.Times[i] : weather[i].TimeMid;
            clear[i] = nameplate.Simulate(nameplate.ClearSkySample(mid), planes).AcPowerW;
        }
        return (pv, clear);
    }
}
