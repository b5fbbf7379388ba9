using System.Text.Json.Serialization;
using PvEdge.Shared.Bundle;
using PvEdge.Shared.Formulas;
using PvEdge.Shared.Physics;
using PvEdge.Shared.Sites;

namespace PvEdge.ModelExport.Distillation;

/// <summary>report/distillation.json.</summary>
public sealed record DistillationReport(
    [property: JsonPropertyName("schema")] int Schema,
    [property: JsonPropertyName("options")] DistillOptions Options,
    [property: JsonPropertyName("samples")] int Samples,
    [property: JsonPropertyName("domain")] string Domain,
    [property: JsonPropertyName("factors")] IReadOnlyList<DistillationFactorReport> Factors,
    [property: JsonPropertyName("physics")] PhysicsCheck Physics);

/// <summary>One factor of the report, with its Pareto front.</summary>
public sealed record DistillationFactorReport(
    [property: JsonPropertyName("factor")] string Factor,
    [property: JsonPropertyName("formula")] string Formula,
    [property: JsonPropertyName("complexity")] int Complexity,
    [property: JsonPropertyName("r2_vs_net")] double R2VsNet,
    [property: JsonPropertyName("r2_vs_truth")] double? R2VsTruth,
    [property: JsonPropertyName("kept")] bool Kept,
    [property: JsonPropertyName("iterations")] int Iterations,
    [property: JsonPropertyName("evaluations")] long Evaluations,
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("pareto")] IReadOnlyList<ParetoPoint> Pareto);

/// <summary>One point of a Pareto front.</summary>
public sealed record ParetoPoint(
    [property: JsonPropertyName("expression")] string Expression,
    [property: JsonPropertyName("complexity")] int Complexity,
    [property: JsonPropertyName("r2")] double R2);

/// <summary>The report's plot: inverter efficiency of the truth, the net and the formula over 5–100 % load.</summary>
public static class DistillationPlots
{
    public static void Inverter(FactorDistiller distiller, Expr? formula, Site site, string path)
    {
        ArgumentNullException.ThrowIfNull(distiller);
        ArgumentNullException.ThrowIfNull(site);
        var zeta = Enumerable.Range(0, 96).Select(i => 0.05 + (0.95 * i / 95.0)).ToArray();
        var loads = zeta.Select(z => z * site.Inverter.Pdc0W / site.Inverter.AcCapacityW).ToArray();
        var truth = loads.Select(l => PvWatts.Inverter(l * site.Inverter.AcCapacityW, site.Inverter.Pdc0W, site.Inverter.EtaNominal).AcPowerW / site.Inverter.AcCapacityW / l).ToArray();
        var net = distiller.NetEfficiency(loads);
        var plt = new ScottPlot.Plot();
        plt.Add.ScatterLine(zeta, truth).LegendText = "truth (PVWatts, site η)";
        plt.Add.ScatterLine(zeta, net).LegendText = "N3 net";
        if (formula is not null)
        {
            var f = FactorDistiller.Evaluate(formula, ChainFactors.Inverter.VariableNames, [loads]);
            plt.Add.ScatterLine(zeta, [.. f.Select((v, i) => v / loads[i])]).LegendText = "formula";
        }
        plt.ShowLegend();
        plt.Title("inverter efficiency");
        plt.XLabel("DC power / inverter DC rating");
        plt.YLabel("efficiency");
        plt.SavePng(path, 480, 320);
    }
}
