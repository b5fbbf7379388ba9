using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using PvEdge.Shared.Learning;
using Tensor = PvEdge.Shared.Learning.Tensor;
using PvEdge.Shared.Learning.Chain;
using ChainOnnx = PvEdge.Shared.Bundle.ChainOnnx;
using PvEdge.TestSupport;

namespace PvEdge.ModelExport.Tests.Training;

public sealed class ChainOnnxTests
{
    private static ChainModel RandomSiteModel(bool inverterCurve = true, int shadingHidden = 32)
    {
        var rng = new SeededRandom(3);
        var config = ChainConfig.Default with { InverterCurve = inverterCurve, ShadingHidden = shadingHidden };
        var model = new ChainModel(new ChainNets(config, rng), new SiteParameters(1, config.LatentSize));
        foreach (var p in model.Parameters)
        {
            for (var k = 0; k < p.Length; k++)
            {
                p.Data[k] += (float)(0.3 * rng.NextGaussian());
            }
        }
        model.Sites.Gain.Data[0] = 0.8f;
        return model;
    }

    private static Tensor Features(int n)
    {
        var rng = new SeededRandom(4);
        var x = new Tensor(n, ChainColumns.Count);
        for (var r = 0; r < n; r++)
        {
            var az = rng.Uniform(0, 2 * Math.PI);
            x[r, ChainColumns.SinAzimuth] = (float)Math.Sin(az);
            x[r, ChainColumns.CosAzimuth] = (float)Math.Cos(az);
            x[r, ChainColumns.Elevation] = (float)rng.Uniform(0, 0.9);
            x[r, ChainColumns.Beam] = (float)rng.Uniform(0, 1);
            x[r, ChainColumns.SkyDiffuse] = (float)rng.Uniform(0, 0.3);
            x[r, ChainColumns.Ground] = (float)rng.Uniform(0, 0.03);
            x[r, ChainColumns.TempAir] = (float)rng.Uniform(-1, 1);
            x[r, ChainColumns.Wind] = (float)rng.Uniform(0, 1);
            x[r, ChainColumns.DcAcRatio] = (float)rng.Uniform(0.9, 1.6);
        }
        return x;
    }

    [Theory]
    [InlineData(true, 32)]
    [InlineData(false, 32)]
    [InlineData(true, 48)] // a site model whose shading field the edge stage widened
    public void ExportChain_OnnxRuntime_MatchesTheTrainedModel(bool inverterCurve, int shadingHidden)
    {
        var model = RandomSiteModel(inverterCurve, shadingHidden);
        var x = Features(64);
        var ac = new float[64];
        var dc = new float[64];
        var poa = new float[64];
        model.Predict(x, ac, dc, poa, []);
        using var session = new InferenceSession(ChainOnnx.Chain(model, 5000, 4000, "test"));
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("features", new DenseTensor<float>(x.Data, [64, ChainColumns.Count]))]);
        var onnxAc = results.First(r => r.Name == "ac_power_w").AsEnumerable<float>().ToArray();
        var onnxDc = results.First(r => r.Name == "dc_power_w").AsEnumerable<float>().ToArray();
        var onnxPoa = results.First(r => r.Name == "poa_wm2").AsEnumerable<float>().ToArray();
        for (var i = 0; i < 64; i++)
        {
            Assert.Equal(ac[i] * 4000, onnxAc[i], 0.05);
            Assert.Equal(dc[i] * 5000, onnxDc[i], 0.05);
            Assert.Equal(poa[i] * 1000, onnxPoa[i], 0.01);
        }
        Assert.All(onnxAc, v => Assert.InRange(v, 0, 4000.01));
    }

    [Fact]
    public void MlpExport_OnnxRuntime_MatchesTheTape()
    {
        var mlp = new Mlp([3, 7, 5, 2], Activation.Tanh, Activation.Softplus, new SeededRandom(9));
        var x = Features(8);
        var input = new Tensor(8, 3, [.. Enumerable.Range(0, 24).Select(k => x.Data[k])]);
        var tape = new Tape();
        var y = tape.Value(mlp.Forward(tape, tape.Input(input)));
        using var session = new InferenceSession(MlpOnnx.Export(mlp, "mlp"));
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(input.Data, [8, 3]))]);
        var onnx = results.First().AsEnumerable<float>().ToArray();
        for (var k = 0; k < y.Length; k++)
        {
            Assert.Equal(y.Data[k], onnx[k], 4);
        }
    }

    [SkippableFact]
    public void MlpExport_OnnxChecker_Accepts()
    {
        var output = OnnxChecker.CheckBytes(MlpOnnx.Export(RandomSiteModel().Nets.Shading, "n1_shading"));
        Assert.StartsWith("ok", output, StringComparison.Ordinal);
    }
}
