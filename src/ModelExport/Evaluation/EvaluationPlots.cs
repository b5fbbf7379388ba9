using PvEdge.ModelExport.Simulation;
using PvEdge.Shared.Learning.Chain;

namespace PvEdge.ModelExport.Evaluation;

/// <summary>PNG plots of an evaluation (ScottPlot).</summary>
public static class EvaluationPlots
{
    /// <summary>Measured against predicted AC power (scatter) with the 1:1 line.</summary>
    public static void MeasuredVsPredicted(EvaluationSeries series, string path)
    {
        ArgumentNullException.ThrowIfNull(series);
        var xs = new List<double>();
        var ys = new List<double>();
        for (var i = 0; i < series.MeasuredW.Length; i++)
        {
            if (series.Scored[i])
            {
                xs.Add(series.MeasuredW[i]);
                ys.Add(series.ModelW[i]);
            }
        }
        var plt = new ScottPlot.Plot();
        var sc = plt.Add.ScatterPoints(xs.ToArray(), ys.ToArray());
        sc.MarkerSize = 2;
        var max = xs.Count > 0 ? Math.Max(xs.Max(), ys.Max()) : 1;
        plt.Add.Line(0, 0, max, max);
        plt.Title("AC power: measured vs predicted (daylight)");
        plt.XLabel("measured AC (W)");
        plt.YLabel("predicted AC (W)");
        plt.SavePng(path, 800, 800);
    }

    /// <summary>Measured, predicted and PVWatts-nameplate AC over the first days of the history.</summary>
    public static void TimeSeries(EvaluationSeries series, string path, int maxRows = 96 * 7)
    {
        ArgumentNullException.ThrowIfNull(series);
        var n = Math.Min(maxRows, series.MeasuredW.Length);
        var t = Enumerable.Range(0, n).Select(i => series.Features.Times[i].UtcDateTime.ToOADate()).ToArray();
        var plt = new ScottPlot.Plot();
        var m = plt.Add.ScatterLine(t, series.MeasuredW[..n].Select(v => double.IsNaN(v) ? 0 : v).ToArray());
        m.LegendText = "measured";
        var p = plt.Add.ScatterLine(t, series.ModelW[..n]);
        p.LegendText = "chain";
        var b = plt.Add.ScatterLine(t, series.PvWattsW[..n]);
        b.LegendText = "PVWatts nameplate";
        plt.Axes.DateTimeTicksBottom();
        plt.ShowLegend();
        plt.YLabel("AC power (W)");
        plt.SavePng(path, 1200, 500);
    }

    /// <summary>The learned beam shading field (left) beside the true one when known (right, shifted by 400°):
    /// x = sun azimuth (degrees clockwise from north), y = apparent sun elevation (degrees).</summary>
    public static void ShadingField(ChainModel model, ShadingScene? truth, double leafOn, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        const int Az = 72;
        const int El = 30;
        var learned = new double[El, Az];
        var real = new double[El, Az];
        for (var e = 0; e < El; e++)
        {
            // heat-map row 0 is drawn at the top: highest elevation first
            var el = (El - e - 0.5) * 90.0 / El;
            for (var a = 0; a < Az; a++)
            {
                var az = (a + 0.5) * 360.0 / Az;
                learned[e, a] = model.ShadingAt(0, az, el);
                real[e, a] = truth?.BeamFactor(az, el, leafOn) ?? double.NaN;
            }
        }
        var plt = new ScottPlot.Plot();
        var hm = plt.Add.Heatmap(learned);
        hm.Colormap = new ScottPlot.Colormaps.Viridis();
        hm.Extent = new ScottPlot.CoordinateRect(0, 360, 0, 90);
        hm.ManualRange = new ScottPlot.Range(0, 1);
        if (truth is not null)
        {
            var ht = plt.Add.Heatmap(real);
            ht.Colormap = new ScottPlot.Colormaps.Viridis();
            ht.Extent = new ScottPlot.CoordinateRect(400, 760, 0, 90);
            ht.ManualRange = new ScottPlot.Range(0, 1);
        }
        plt.Add.ColorBar(hm);
        plt.Title(truth is null ? "learned beam shading s" : "learned s (azimuth 0-360) | true s (azimuth + 400)");
        plt.XLabel("sun azimuth (deg)");
        plt.YLabel("sun elevation (deg)");
        plt.SavePng(path, 1200, 450);
    }
}
