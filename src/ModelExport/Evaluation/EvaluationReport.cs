using System.Text.Json;
using System.Text.Json.Serialization;
using PvEdge.ModelExport.Simulation;

namespace PvEdge.ModelExport.Evaluation;

/// <summary>RMSE and nRMSE of a baseline.</summary>
public sealed record BaselineMetrics([property: JsonPropertyName("rmse_w")] double RmseW, [property: JsonPropertyName("nrmse_pct")] double NrmsePct);

public sealed record BaselineSet(
    [property: JsonPropertyName("pvwatts_nameplate")] BaselineMetrics PvWattsNameplate,
    [property: JsonPropertyName("smart_persistence")] BaselineMetrics SmartPersistence);

/// <summary>The evaluate JSON of formats.md (schema 1), plus an optional shading comparison when the truth is known.</summary>
public sealed record EvaluationReport(
    [property: JsonPropertyName("schema")] int Schema,
    [property: JsonPropertyName("rows")] int Rows,
    [property: JsonPropertyName("daylight_rows")] int DaylightRows,
    [property: JsonPropertyName("model")] ErrorMetrics Model,
    [property: JsonPropertyName("baselines")] BaselineSet Baselines,
    [property: JsonPropertyName("skill_vs_pvwatts")] double SkillVsPvWatts,
    [property: JsonPropertyName("skill_vs_persistence")] double SkillVsPersistence,
    [property: JsonPropertyName("shading_mae")] double? ShadingMae)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static EvaluationReport From(EvaluationSeries series, double? shadingMae)
    {
        ArgumentNullException.ThrowIfNull(series);
        var m = series.Model;
        var pv = series.PvWatts;
        var pe = series.Persistence;
        var daylight = Enumerable.Range(0, series.Features.Rows).Count(series.Features.IsDaylight);
        return new EvaluationReport(1, series.Features.Rows, daylight, m,
            new BaselineSet(new BaselineMetrics(pv.RmseW, pv.NrmsePct), new BaselineMetrics(pe.RmseW, pe.NrmsePct)),
            1 - m.RmseW / pv.RmseW, 1 - m.RmseW / pe.RmseW, shadingMae);
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Mean |s_learned − s_true| over the daylight rows the history saw (true s at each row's date, for seasonal trees).</summary>
    public static double ComputeShadingMae(EvaluationSeries series, ShadingScene truth, double latitudeDeg)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(truth);
        double sum = 0;
        var n = 0;
        var f = series.Features;
        for (var i = 0; i < f.Rows; i++)
        {
            if (!f.IsDaylight(i))
            {
                continue;
            }
            var leaf = ShadingScene.LeafOn(f.Times[i].DayOfYear, latitudeDeg);
            sum += Math.Abs(series.ShadingLearned[i] - truth.BeamFactor(f.SunAzimuthDeg[i], f.SunElevationDeg[i], leaf));
            n++;
        }
        return n == 0 ? double.NaN : sum / n;
    }
}
