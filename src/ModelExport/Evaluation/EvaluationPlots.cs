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

    /// <summary>The learned beam shading field (left) beside the true one when known (right), azimuth 0–360° × elevation 0–90°.</summary>
    public static void ShadingField(ChainModel model, ShadingScene? truth, double leafOn, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        const int Az = 72;
        const int El = 30;
        var gap = truth is null ? 0 : 4;
        var cols = truth is null ? Az : 2 * Az + gap;
        var grid = new double[El, cols];
        for (var e = 0; e < El; e++)
        {
            var el = (El - e - 0.5) * 90.0 / El;
            for (var a = 0; a < Az; a++)
            {
                var az = (a + 0.5) * 360.0 / Az;
                grid[e, a] = model.ShadingAt(0, az, el);
                if (truth is not null)
                {
                    grid[e, Az + gap + a] = truth.BeamFactor(az, el, leafOn);
                }
            }
            for (var g = 0; g < gap; g++)
            {
                grid[e, Az + g] = double.NaN;
            }
        }
        var plt = new ScottPlot.Plot();
        var hm = plt.Add.Heatmap(grid);
        hm.Colormap = new ScottPlot.Colormaps.Viridis();
        plt.Add.ColorBar(hm);
        plt.Title(truth is null ? "learned beam shading s(azimuth, elevation)" : "learned s (left) | true s (right); x: azimuth 0–360°, y: elevation 0–90°");
        plt.SavePng(path, 1200, 450);
    }
}
