using PvEdge.Shared.Learning;
using PvEdge.Shared.Learning.Chain;

namespace PvEdge.Shared.Tests.Learning;

/// <summary>The shading field's training aids: widening by new units, the gradient leak through its sigmoid and the teacher anchor.</summary>
public sealed class ChainShadingTests
{
    private static ChainModel Model(ulong seed)
    {
        var rng = new SeededRandom(seed);
        var sites = new SiteParameters(1, ChainConfig.Default.LatentSize);
        for (var k = 0; k < sites.Latent.Length; k++)
        {
            sites.Latent.Data[k] = (float)rng.Uniform(-1, 1);
        }
        return new ChainModel(new ChainNets(ChainConfig.Default, rng), sites);
    }

    // rows of sun positions with beam, sky and ground irradiance, one site
    private static Tensor Rows(int n, ulong seed)
    {
        var rng = new SeededRandom(seed);
        var x = new Tensor(n, ChainColumns.Count);
        for (var r = 0; r < n; r++)
        {
            var az = rng.Uniform(60, 300) * Math.PI / 180;
            x[r, ChainColumns.SinAzimuth] = (float)Math.Sin(az);
            x[r, ChainColumns.CosAzimuth] = (float)Math.Cos(az);
            x[r, ChainColumns.Elevation] = (float)(rng.Uniform(2, 70) / 90);
            x[r, ChainColumns.Beam] = (float)rng.Uniform(0, 0.8);
            x[r, ChainColumns.SkyDiffuse] = (float)rng.Uniform(0, 0.2);
            x[r, ChainColumns.Ground] = (float)rng.Uniform(0, 0.02);
            x[r, ChainColumns.DcAcRatio] = 1.2f;
        }
        return x;
    }

    [Fact]
    public void WithWiderShading_SharpNewUnits_SameFieldWiderLayersSameOtherNets()
    {
        var model = Model(3);
        var rng = new SeededRandom(4);
        var wide = model.Nets.WithWiderShading(8, (j, column) =>
        {
            for (var i = 0; i < column.Length; i++)
            {
                column[i] = (float)rng.Uniform(-40, 40);
            }
        }, rng);
        var widened = new ChainModel(wide, model.Sites);

        Assert.Equal(ChainConfig.Default.ShadingHidden + 8, wide.Config.ShadingHidden);
        Assert.Equal([3 + ChainConfig.Default.LatentSize, 40, 40, 1], wide.Shading.Sizes);
        var probe = new SeededRandom(5);
        for (var k = 0; k < 200; k++)
        {
            var az = probe.Uniform(0, 360);
            var el = probe.Uniform(0, 90);
            Assert.Equal(model.ShadingAt(0, az, el), widened.ShadingAt(0, az, el), 1e-6f);
        }
        foreach (var (a, b) in model.Nets.Module.Parameters.Concat(model.Nets.InverterParameters).Zip(wide.Module.Parameters.Concat(wide.InverterParameters)))
        {
            Assert.Equal(a.Data, b.Data);
        }
        // the new units are not dead: their output weights get a gradient at once
        var tape = new Tape();
        var x = Rows(64, 6);
        var s = widened.Forward(tape, tape.Input(x)).Shading;
        tape.Backward(tape.Sum(s));
        var outputWeight = wide.Shading.Layers[2].Weight;
        var gradient = Enumerable.Range(0, tape.ParameterCount).Select(tape.ParameterGradient).Single(p => ReferenceEquals(p.Parameter, outputWeight)).Gradient;
        Assert.Contains(gradient.Data[ChainConfig.Default.ShadingHidden..], g => Math.Abs(g) > 1e-6);
    }

    [Fact]
    public void ShadingGradientLeak_SaturatedField_SameValuesAndTheLogitStillGetsAGradient()
    {
        var model = Model(7);
        model.Nets.Shading.Layers[^1].Bias.Data[0] = 30f; // s = 1.0000 everywhere
        var x = Rows(32, 8);
        (float[] Values, float BiasGradient) Run(float leak)
        {
            model.ShadingGradientLeak = leak;
            var tape = new Tape();
            var s = model.Forward(tape, tape.Input(x)).Shading;
            tape.Backward(tape.Sum(s));
            var bias = model.Nets.Shading.Layers[^1].Bias;
            var g = Enumerable.Range(0, tape.ParameterCount).Select(tape.ParameterGradient).Single(p => ReferenceEquals(p.Parameter, bias)).Gradient;
            return ([.. tape.Value(s).Data], g.Data[0]);
        }

        var (plain, plainGradient) = Run(0);
        var (leaky, leakyGradient) = Run(0.05f);

        Assert.Equal(plain, leaky);
        Assert.True(Math.Abs(plainGradient) < 1e-6, $"saturated sigmoid passes {plainGradient}");
        Assert.Equal(0.05f * x.Rows, leakyGradient, 1e-3f);
    }

    [Fact]
    public void ShadingTeacher_TargetsAtAndOffTheField_AddsZeroOrWeightTimesSquaredOffset()
    {
        var model = Model(9);
        var x = Rows(16, 10);
        var y = new Tensor(x.Rows, ChainColumns.LabelCount);
        Array.Fill(y.Data, 0.3f);
        var sun = Rows(12, 11);
        var inputs = new Tensor(sun.Rows, 3);
        var targets = new Tensor(sun.Rows, 1);
        for (var r = 0; r < sun.Rows; r++)
        {
            inputs[r, 0] = sun[r, ChainColumns.SinAzimuth];
            inputs[r, 1] = sun[r, ChainColumns.CosAzimuth];
            inputs[r, 2] = sun[r, ChainColumns.Elevation];
            var az = Math.Atan2(inputs[r, 0], inputs[r, 1]) * 180 / Math.PI;
            targets[r, 0] = model.ShadingAt(0, az, inputs[r, 2] * 90.0);
        }
        var batch = new ShardBatch(x, y, 0, 1, 0);
        float Loss(ShadingTeacher? teacher)
        {
            model.ShadingTeacher = teacher;
            var tape = new Tape();
            return tape.Value(model.Loss(tape, batch)).Data[0];
        }

        var without = Loss(null);
        var atField = Loss(new ShadingTeacher(inputs, targets, 2f));
        var shifted = new Tensor(targets.Rows, 1, [.. targets.Data.Select(v => v - 0.1f)]);
        var offField = Loss(new ShadingTeacher(inputs, shifted, 2f));

        Assert.Equal(without, atField, 1e-6f);
        Assert.Equal(without + (2f * 0.01f), offField, 1e-4f);
    }
}
