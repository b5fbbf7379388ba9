using PvEdge.EdgeAgent.Inference;
using PvEdge.EdgeAgent.Weather;
using PvEdge.Shared.Bundle;
using PvEdge.Shared.Tests.Bundle;
using PvEdge.TestSupport;
using Xunit.Abstractions;

namespace PvEdge.EdgeAgent.Tests.Inference;

public sealed class OnnxChainPredictorTests(ITestOutputHelper output)
{
    [Fact]
    public void Predict_TenThousandRandomRows_EqualsEngineWithin1e5Relative()
    {
        using var b = new TestBundle(seed: 11, sign: false);
        var loaded = b.Load();
        var engineAc = AssertOnnxEqualsEngine(loaded, "random weights");
        Assert.Contains(engineAc, v => v >= loaded.Site.Inverter.AcCapacityW * 0.999f); // clipping rows were exercised
    }

    [Fact]
    public void Predict_TenThousandRandomRows_ShippedBundle_EqualsEngineWithin1e5Relative()
    {
        var shipped = BundleLoader.Load(RepoPaths.InRepo("models/default"), BundleKeys.LoadPublic(RepoPaths.InRepo("models/default.pub")));
        var engineAc = AssertOnnxEqualsEngine(shipped, "models/default");
        Assert.Contains(engineAc, v => v >= shipped.Site.Inverter.AcCapacityW * 0.5f); // the trained chain's upper range was exercised
    }

    /// <summary>Runs <c>chain.onnx</c> under ONNX Runtime and our engine on 10,000 random feature rows and asserts two figures
    /// ≤ 1e-5: the largest difference relative to each output's full scale (1000 W/m², DC capacity, AC rating), and the largest
    /// relative difference per value on every value above 1 % of its full scale (below that a relative figure measures float32
    /// round-off of a number near zero, not the graph).</summary>
    private float[] AssertOnnxEqualsEngine(LoadedBundle loaded, string label)
    {
        const int Rows = 10_000;
        var x = TestBundle.RandomFeatures(Rows, 12);
        var engine = (Poa: new float[Rows], Dc: new float[Rows], Ac: new float[Rows]);
        var onnx = (Poa: new float[Rows], Dc: new float[Rows], Ac: new float[Rows]);
        new EngineChainPredictor(loaded).Predict(x, engine.Poa, engine.Dc, engine.Ac);
        using (var p = new OnnxChainPredictor(loaded))
        {
            p.Predict(x, onnx.Poa, onnx.Dc, onnx.Ac);
        }

        var (worstScale, worstValue, valuesCompared) = (0.0, 0.0, 0);
        void Compare(float[] ours, float[] theirs, double fullScale)
        {
            for (var i = 0; i < Rows; i++)
            {
                var difference = Math.Abs(theirs[i] - ours[i]);
                worstScale = Math.Max(worstScale, difference / Math.Max(Math.Abs(ours[i]), fullScale));
                if (Math.Abs(ours[i]) >= 0.01 * fullScale)
                {
                    worstValue = Math.Max(worstValue, difference / Math.Abs(ours[i]));
                    valuesCompared++;
                }
            }
        }
        Compare(engine.Poa, onnx.Poa, 1000);
        Compare(engine.Dc, onnx.Dc, loaded.Site.DcCapacityW);
        Compare(engine.Ac, onnx.Ac, loaded.Site.Inverter.AcCapacityW);
        output.WriteLine($"{label}: ONNX Runtime vs engine over {Rows} rows: largest difference {worstScale:E2} of full scale; "
            + $"largest relative difference {worstValue:E2} over the {valuesCompared} values above 1 % of full scale");
        Assert.True(worstScale <= 1e-5, $"{label}: largest difference {worstScale:E2} of full scale");
        Assert.True(worstValue <= 1e-5, $"{label}: largest relative difference {worstValue:E2}");
        Assert.True(valuesCompared > Rows, $"{label}: only {valuesCompared} values above 1 % of full scale");
        return engine.Ac;
    }

    [Fact]
    public void Predict_RepeatedRowCount_AllocatesLittle()
    {
        using var b = new TestBundle(sign: false);
        using var p = new OnnxChainPredictor(b.Load());
        var x = TestBundle.RandomFeatures(48, 1);
        var (poa, dc, ac) = (new float[48], new float[48], new float[48]);
        p.Predict(x, poa, dc, ac);
        p.Predict(x, poa, dc, ac);

        var before = GC.GetAllocatedBytesForCurrentThread();
        p.Predict(x, poa, dc, ac);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // the managed side of OrtSession.Run with pre-bound OrtValues: a few small arrays, never per-row buffers
        Assert.True(allocated < 2048, $"{allocated} bytes per call");
    }

    [SkippableFact]
    public void EveryOnnxFile_OfABundle_PassesOnnxChecker()
    {
        using var b = new TestBundle(sign: false);
        var onnxFiles = b.Manifest.Files.Where(f => f.Path.EndsWith(".onnx", StringComparison.Ordinal)).ToList();

        Assert.Equal(4, onnxFiles.Count);
        foreach (var f in onnxFiles)
        {
            Assert.StartsWith("ok ir 8 opset 17", OnnxChecker.Check(Path.Combine(b.BundlePath, f.Path)), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void FactorOnnx_PhysicalInputs_EqualsFormulaOfTheSameNet()
    {
        // the module factor file normalises its physical inputs itself: feeding it (poa, T, wind) must equal the chain with
        // ground irradiance = poa (beam and sky zero), which hands the module exactly that POA
        using var b = new TestBundle(seed: 5, sign: false);
        var loaded = b.Load();
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(loaded.File(ChainFactors.Module.OnnxFile));
        float[] physical = [800f, 30f, 2f];
        using var input = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(physical, [1, 3]);
        using var results = session.Run(new Microsoft.ML.OnnxRuntime.RunOptions(), ["x"], [input], ["y"]);
        var factor = results[0].GetTensorDataAsSpan<float>()[0];

        var features = new float[Shared.Learning.Chain.ChainColumns.Count];
        features[Shared.Learning.Chain.ChainColumns.Ground] = 0.8f;
        features[Shared.Learning.Chain.ChainColumns.TempAir] = 0.5f;
        features[Shared.Learning.Chain.ChainColumns.Wind] = 0.2f;
        features[Shared.Learning.Chain.ChainColumns.DcAcRatio] = 1f;
        var (poa, dc, ac) = (new float[1], new float[1], new float[1]);
        new EngineChainPredictor(loaded).Predict(features, poa, dc, ac);

        Assert.Equal(dc[0] / loaded.Site.DcCapacityW, factor, 5);
    }

    [Fact]
    public void BundlePowerModel_RoundTrip_RunnersAgreeAtNoon()
    {
        using var b = new TestBundle(seed: 3);
        var loaded = b.Load();
        var noon = new WeatherPoint(new DateTimeOffset(2026, 6, 21, 16, 30, 0, TimeSpan.Zero), 850, 700, 150, 28, 2);
        var night = noon with { StartUtc = noon.StartUtc.AddHours(12), GhiWm2 = 0, DniWm2 = 0, DhiWm2 = 0 };

        using var onnxRunner = new OnnxChainPredictor(loaded);
        var onnx = new BundlePowerModel(loaded, onnxRunner, null);
        var engine = new BundlePowerModel(loaded, new EngineChainPredictor(loaded), null);
        var formulas = new BundlePowerModel(loaded, FormulaChainPredictor.Create(loaded), null);
        var acOnnx = onnx.ExpectedAcW(noon, TimeSpan.FromHours(1));
        var acEngine = engine.ExpectedAcW(noon, TimeSpan.FromHours(1));
        var acFormulas = formulas.ExpectedAcW(noon, TimeSpan.FromHours(1));

        Assert.Equal("test-3", onnx.Id);
        Assert.Equal(("onnx", "engine", "formulas"), (onnx.Runner, engine.Runner, formulas.Runner));
        Assert.InRange(acOnnx, 100, loaded.Site.Inverter.AcCapacityW);
        Assert.Equal(acEngine, acOnnx, 1e-5 * loaded.Site.Inverter.AcCapacityW);
        Assert.InRange(acFormulas, 100, loaded.Site.Inverter.AcCapacityW);
        Assert.Equal(0, onnx.ExpectedAcW(night, TimeSpan.FromHours(1)));
        Assert.Equal((-0.05, 0.04), onnx.ResidualQuantiles);
    }
}
