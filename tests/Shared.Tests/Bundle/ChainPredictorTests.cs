using PvEdge.Shared.Bundle;
using PvEdge.Shared.Formulas;
using PvEdge.Shared.Learning;
using PvEdge.Shared.Learning.Chain;

namespace PvEdge.Shared.Tests.Bundle;

public sealed class ChainPredictorTests
{
    [Fact]
    public void EnginePredict_RandomRows_EqualsChainModelPredictScaled()
    {
        using var b = new TestBundle(sign: false);
        var loaded = b.Load();
        const int Rows = 300;
        var x = TestBundle.RandomFeatures(Rows, 3);
        var (poa, dc, ac) = (new float[Rows], new float[Rows], new float[Rows]);

        new EngineChainPredictor(loaded).Predict(x, poa, dc, ac);

        var (ePoa, eDc, eAc) = (new float[Rows], new float[Rows], new float[Rows]);
        b.Model.Predict(new Tensor(Rows, ChainColumns.Count, x), eAc, eDc, ePoa, default);
        for (var i = 0; i < Rows; i++)
        {
            Near(ePoa[i] * 1000.0, poa[i]);
            Near(eDc[i] * 5000.0, dc[i]);
            Near(eAc[i] * 4200.0, ac[i]);
        }
    }

    // float outputs against double arithmetic: a few float ulps
    private static void Near(double expected, float actual) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-5 * Math.Max(1, Math.Abs(expected)), $"expected {expected}, got {actual}");

    [Fact]
    public void EnginePredict_AfterWarmUp_AllocatesNothing()
    {
        using var b = new TestBundle(sign: false);
        var p = new EngineChainPredictor(b.Load());
        var x = TestBundle.RandomFeatures(48, 4);
        var (poa, dc, ac) = (new float[48], new float[48], new float[48]);
        p.Predict(x, poa, dc, ac);

        var before = GC.GetAllocatedBytesForCurrentThread();
        p.Predict(x, poa, dc, ac);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void FormulaPredict_HandFormulas_FollowTheChainAlgebra()
    {
        using var b = new TestBundle(sign: false);
        var loaded = b.Load();
        var p = FormulaChainPredictor.Create(loaded);
        var x = TestBundle.RandomFeatures(200, 5);
        var (poa, dc, ac) = (new float[200], new float[200], new float[200]);

        p.Predict(x, poa, dc, ac);

        var svf = loaded.Manifest.Chain.SkyView;
        for (var i = 0; i < 200; i++)
        {
            var f = x.AsSpan(i * ChainColumns.Count, ChainColumns.Count);
            var s = 1 - (0.1 * Math.Max(f[ChainColumns.CosAzimuth], 0) * (1 - f[ChainColumns.Elevation]));
            var poaW = 1000 * ((s * f[ChainColumns.Beam]) + (svf * f[ChainColumns.SkyDiffuse]) + f[ChainColumns.Ground]);
            var t = 20 + (20 * f[ChainColumns.TempAir]);
            var dcPerWp = poaW / 1000 * 0.86 * (1 - (0.004 * (t - 25)));
            var acPerW = Math.Min(0.96 * dcPerWp * f[ChainColumns.DcAcRatio], 1);
            Near(poaW, poa[i]);
            Near(dcPerWp * 5000, dc[i]);
            Near(acPerW * 4200, ac[i]);
        }
    }

    [Fact]
    public void FormulaPredict_AfterWarmUp_AllocatesNothing()
    {
        using var b = new TestBundle(sign: false);
        var p = FormulaChainPredictor.Create(b.Load());
        var x = TestBundle.RandomFeatures(48, 6);
        var (poa, dc, ac) = (new float[48], new float[48], new float[48]);
        p.Predict(x, poa, dc, ac);

        var before = GC.GetAllocatedBytesForCurrentThread();
        p.Predict(x, poa, dc, ac);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void FormulaCreate_FactorWithoutFormula_RefusedNamingFormulasFile()
    {
        using var b = new TestBundle(sign: false, formulas: false);
        var loaded = b.Load();

        Assert.False(loaded.HasAllFormulas);
        var e = Assert.Throws<Cli.InputException>(() => FormulaChainPredictor.Create(loaded));
        Assert.Contains("formulas.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Predict_MismatchedSpans_Throws()
    {
        using var b = new TestBundle(sign: false);
        var p = new EngineChainPredictor(b.Load());

        Assert.Throws<ArgumentException>(() => p.Predict(new float[20], new float[3], new float[3], new float[3]));
    }

    [Theory]
    [InlineData("min(0.96 * dc_load, 1)")]
    [InlineData("-(poa_wm2 / 1000) + exp(temp_air_c) ^ 2")]
    public void ExprJson_RoundTrip_SameTree(string text)
    {
        var e = FormulaParser.Parse(text);

        Assert.Equal(e, ExprJson.ToExpr(ExprJson.ToNode(e), "test"));
    }
}
