using System.Text.Json.Serialization;

namespace PvEdge.ModelExport.Evaluation;

/// <summary>Errors of a prediction against measurements over the selected rows (formats.md evaluate JSON "model").</summary>
public sealed record ErrorMetrics(
    [property: JsonPropertyName("rmse_w")] double RmseW,
    [property: JsonPropertyName("nrmse_pct")] double NrmsePct,
    [property: JsonPropertyName("mae_w")] double MaeW,
    [property: JsonPropertyName("mbe_w")] double MbeW,
    [property: JsonPropertyName("energy_error_pct")] double EnergyErrorPct,
    [property: JsonIgnore] int Rows)
{
    /// <summary>Metrics over rows where <paramref name="use"/> is true and both values are numbers; nRMSE is relative to the DC capacity.</summary>
    public static ErrorMetrics Compute(ReadOnlySpan<double> predictedW, ReadOnlySpan<double> measuredW, ReadOnlySpan<bool> use, double dcCapacityW)
    {
        double se = 0, ae = 0, be = 0, ep = 0, em = 0;
        var n = 0;
        for (var i = 0; i < measuredW.Length; i++)
        {
            if (!use[i] || double.IsNaN(measuredW[i]) || double.IsNaN(predictedW[i]))
            {
                continue;
            }
            var d = predictedW[i] - measuredW[i];
            se += d * d;
            ae += Math.Abs(d);
            be += d;
            ep += predictedW[i];
            em += measuredW[i];
            n++;
        }
        if (n == 0)
        {
            return new ErrorMetrics(double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, 0);
        }
        var rmse = Math.Sqrt(se / n);
        return new ErrorMetrics(rmse, 100 * rmse / dcCapacityW, ae / n, be / n, em > 0 ? 100 * (ep - em) / em : double.NaN, n);
    }
}
