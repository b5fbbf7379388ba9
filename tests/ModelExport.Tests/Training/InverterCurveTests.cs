using PvEdge.ModelExport.Training;
using PvEdge.Shared.Learning;
using PvEdge.Shared.Learning.Chain;
using PvEdge.Shared.Physics;
using Tensor = PvEdge.Shared.Learning.Tensor;

namespace PvEdge.ModelExport.Tests.Training;

public sealed class InverterCurveTests
{
    private const double DcAcRatio = 1.25;
    private const double EtaNominal = 0.96;

    // AC per W of AC rating of the PVWatts inverter at a load (DC per W of AC rating)
    private static double TrueAc(double load) => PvWatts.Inverter(load, 1 / EtaNominal, EtaNominal).AcPowerW;

    // rows of a site that measures DC, with the fleet's telemetry noise (1 % relative + 0.3 % of the rating, floored at 0)
    private static (Tensor X, Tensor Y) MeasuredPairs(int n, ulong seed)
    {
        var rng = new SeededRandom(seed);
        var x = new Tensor(n, ChainColumns.Count);
        var y = new Tensor(n, ChainColumns.LabelCount);
        for (var r = 0; r < n; r++)
        {
            var load = rng.Uniform(0, 1.3);
            x[r, ChainColumns.DcAcRatio] = (float)DcAcRatio;
            x[r, ChainColumns.Ground] = (float)(load / DcAcRatio);
            double Noisy(double v) => Math.Max(0, (v * (1 + (0.01 * rng.NextGaussian()))) + (0.003 * rng.NextGaussian()));
            y[r, ChainColumns.LabelAc] = (float)Noisy(TrueAc(load));
            y[r, ChainColumns.LabelDc] = (float)(Noisy(load) / DcAcRatio);
            y[r, ChainColumns.LabelPoa] = float.NaN;
        }
        return (x, y);
    }

    private static double MaxEfficiencyError(ChainModel model)
    {
        var loads = Enumerable.Range(0, 96).Select(i => (0.05 + (0.95 * i / 95.0)) / EtaNominal).ToArray();
        var tape = new Tape();
        var ac = tape.Value(model.Inverter(tape, tape.Input(new Tensor(loads.Length, 1, [.. loads.Select(l => (float)l)]))));
        return loads.Select((l, i) => Math.Abs((ac.Data[i] / l) / (TrueAc(l) / l) - 1)).Max();
    }

    [Fact]
    public void PolishInverter_NoisyMeasuredPairs_EfficiencyWithinHalfPercentOverFiveToHundredPercentLoad()
    {
        var (x, y) = MeasuredPairs(20_000, 7);
        var model = new ChainModel(new ChainNets(ChainConfig.Default, new SeededRandom(1)), new SiteParameters(1, ChainConfig.Default.LatentSize));
        var before = MaxEfficiencyError(model);

        var loss = ChainTraining.PolishInverter(model, x, y, [.. Enumerable.Range(0, x.Rows)], threads: 1);

        Assert.True(double.IsFinite(loss));
        Assert.True(before > 0.01, $"the prior curve starts {before:P2} off the PVWatts curve");
        var after = MaxEfficiencyError(model);
        Assert.True(after < 0.005, $"efficiency {after:P2} off the PVWatts curve after polishing (from {before:P2})");
    }

    [Fact]
    public void Inverter_CurveForm_NonNegativeAndClippedAtTheRating()
    {
        var model = new ChainModel(new ChainNets(ChainConfig.Default, new SeededRandom(2)), new SiteParameters(1, ChainConfig.Default.LatentSize));
        var tape = new Tape();
        float[] loads = [0f, 0.001f, 0.5f, 1.2f, 3f];
        var ac = tape.Value(model.Inverter(tape, tape.Input(new Tensor(loads.Length, 1, loads))));

        Assert.Equal(0f, ac.Data[0]);
        Assert.Equal(0f, ac.Data[1]); // below the no-load loss
        Assert.InRange(ac.Data[2], 0.45f, 0.5f);
        Assert.Equal(1f, ac.Data[3]);
        Assert.Equal(1f, ac.Data[4]);
    }

    [Fact]
    public void PolishInverter_NoRowMeasuresDc_LeavesTheCurveAlone()
    {
        var (x, y) = MeasuredPairs(200, 3);
        for (var r = 0; r < y.Rows; r++)
        {
            y[r, ChainColumns.LabelDc] = float.NaN;
        }
        var model = new ChainModel(new ChainNets(ChainConfig.Default, new SeededRandom(1)), new SiteParameters(1, ChainConfig.Default.LatentSize));
        var before = model.Nets.InverterParameters.SelectMany(p => p.Data).ToArray();

        var loss = ChainTraining.PolishInverter(model, x, y, [.. Enumerable.Range(0, x.Rows)], threads: 1);

        Assert.True(double.IsNaN(loss));
        Assert.Equal(before, model.Nets.InverterParameters.SelectMany(p => p.Data).ToArray());
    }
}
