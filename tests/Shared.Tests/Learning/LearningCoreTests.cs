using PvEdge.Shared.Cli;
using PvEdge.Shared.Learning;

namespace PvEdge.Shared.Tests.Learning;

public sealed class LearningCoreTests
{
    private static (Tensor X, Tensor Y) Regression(int n, ulong seed)
    {
        var rng = new SeededRandom(seed);
        var x = new Tensor(n, 4);
        var y = new Tensor(n, 1);
        for (var r = 0; r < n; r++)
        {
            for (var c = 0; c < 4; c++)
            {
                x[r, c] = (float)rng.Uniform(-1, 1);
            }
            y[r, 0] = MathF.Sin(2 * x[r, 0]) + x[r, 1] * x[r, 2] - 0.5f * x[r, 3];
        }
        return (x, y);
    }

    [Fact]
    public void MatMul_OddShapes_EqualsNaiveProduct()
    {
        var rng = new SeededRandom(1);
        foreach (var (n, k, m) in new[] { (1, 1, 1), (5, 3, 7), (9, 8, 64), (13, 64, 17), (4, 2, 33) })
        {
            var a = new float[n * k];
            var b = new float[k * m];
            for (var i = 0; i < a.Length; i++) { a[i] = (float)rng.Uniform(-1, 1); }
            for (var i = 0; i < b.Length; i++) { b[i] = (float)rng.Uniform(-1, 1); }
            var c = new float[n * m];
            Kernels.MatMul(a, b, c, n, k, m, accumulate: false);
            for (var i = 0; i < n; i++)
            {
                for (var j = 0; j < m; j++)
                {
                    var s = 0.0;
                    for (var p = 0; p < k; p++) { s += a[i * k + p] * b[p * m + j]; }
                    Assert.Equal(s, c[i * m + j], 4);
                }
            }
        }
    }

    [Fact]
    public void Adam_MlpOnSmoothTarget_ReducesLossTenfold()
    {
        var (x, y) = Regression(512, 2);
        var mlp = new Mlp([4, 32, 32, 1], Activation.Tanh, Activation.Identity, new SeededRandom(3));
        using var trainer = new DataParallelTrainer(mlp.Parameters, new Adam { LearningRate = 3e-3f },
            (t, b) => t.MseLoss(mlp.Forward(t, t.Input(b.X)), b.Y, b.LossScale), shards: 2);
        var batches = new Minibatcher(x.Rows, 64, new SeededRandom(4));
        double first = 0, last = 0;
        for (var epoch = 0; epoch < 60; epoch++)
        {
            batches.NextEpoch();
            var sum = 0.0;
            for (var b = 0; b < batches.BatchesPerEpoch; b++)
            {
                var (o, c) = batches.Batch(b);
                sum += trainer.Step(x, y, batches.Indices, o, c);
            }
            if (epoch == 0) { first = sum; }
            last = sum;
        }
        Assert.True(last < first / 10, $"loss {first} → {last}");
    }

    [Fact]
    public void DataParallel_OneVersusFourShards_SameGradient()
    {
        var (x, y) = Regression(96, 5);
        y.Data[7] = float.NaN;
        var mlp = new Mlp([4, 16, 1], Activation.Tanh, Activation.Identity, new SeededRandom(6));
        var idx = Enumerable.Range(0, 96).ToArray();
        float[] Grads(int shards)
        {
            using var trainer = new DataParallelTrainer(mlp.Parameters, new Sgd(0),
                (t, b) => t.MseLoss(mlp.Forward(t, t.Input(b.X)), b.Y, b.LossScale), shards);
            trainer.ComputeGradients(x, y, idx, 0, 96);
            return [.. mlp.Parameters.SelectMany(p => p.Grad.Data)];
        }
        var g1 = Grads(1);
        var g4 = Grads(4);
        for (var k = 0; k < g1.Length; k++)
        {
            Assert.True(MathF.Abs(g1[k] - g4[k]) <= 1e-5f * MathF.Max(1, MathF.Abs(g1[k])), $"grad[{k}] {g1[k]} vs {g4[k]}");
        }
    }

    [Fact]
    public void DataParallel_SameSeedTwice_BitIdenticalWeights()
    {
        float[] Train()
        {
            var (x, y) = Regression(256, 7);
            var mlp = new Mlp([4, 16, 16, 1], Activation.Tanh, Activation.Identity, new SeededRandom(8));
            using var trainer = new DataParallelTrainer(mlp.Parameters, new Adam(),
                (t, b) => t.MseLoss(mlp.Forward(t, t.Input(b.X)), b.Y, b.LossScale), shards: 2);
            var batches = new Minibatcher(x.Rows, 32, new SeededRandom(9));
            for (var epoch = 0; epoch < 3; epoch++)
            {
                batches.NextEpoch();
                for (var b = 0; b < batches.BatchesPerEpoch; b++)
                {
                    var (o, c) = batches.Batch(b);
                    trainer.Step(x, y, batches.Indices, o, c);
                }
            }
            return [.. mlp.Parameters.SelectMany(p => p.Data)];
        }
        Assert.Equal(Train(), Train());
    }

    [Fact]
    public void TrainingStep_AfterWarmUp_AllocatesNothing()
    {
        var (x, y) = Regression(256, 10);
        var mlp = new Mlp([4, 64, 64, 1], Activation.Tanh, Activation.Identity, new SeededRandom(11));
        using var trainer = new DataParallelTrainer(mlp.Parameters, new Adam(),
            (t, b) => t.MseLoss(mlp.Forward(t, t.Input(b.X)), b.Y, b.LossScale), shards: 1);
        var idx = Enumerable.Range(0, 256).ToArray();
        for (var i = 0; i < 3; i++) { trainer.Step(x, y, idx, 0, 256); }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10; i++) { trainer.Step(x, y, idx, 0, 256); }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void MseLoss_NaNLabels_AreIgnored()
    {
        var tape = new Tape();
        var p = tape.Input(new Tensor(3, 1, [1f, 2f, 3f]));
        var loss = tape.MseLoss(p, new Tensor(3, 1, [0f, float.NaN, 5f]));
        Assert.Equal((1f + 4f) / 2f, tape.Value(loss).Data[0], 6);
    }

    [Fact]
    public void Lbfgs_Rosenbrock_FindsMinimum()
    {
        var xy = new Tensor(1, 2, [-1.2f, 1f], "xy");
        var (loss, _) = new Lbfgs { MaxIterations = 200 }.Minimize([xy], () =>
        {
            double a = xy.Data[0], b = xy.Data[1];
            xy.Grad.Data[0] = (float)(-2 * (1 - a) - 400 * a * (b - a * a));
            xy.Grad.Data[1] = (float)(200 * (b - a * a));
            return (1 - a) * (1 - a) + 100 * (b - a * a) * (b - a * a);
        });
        Assert.True(loss < 1e-4, $"loss {loss}");
        Assert.Equal(1f, xy.Data[0], 1);
        Assert.Equal(1f, xy.Data[1], 1);
    }

    [Fact]
    public void WeightsFile_SaveLoad_RoundTripsExactly()
    {
        var mlp = new Mlp([3, 5, 1], Activation.Tanh, Activation.Identity, new SeededRandom(12));
        var path = Path.GetTempFileName();
        try
        {
            WeightsFile.Save(path, mlp.Parameters);
            var other = new Mlp([3, 5, 1], Activation.Tanh, Activation.Identity, new SeededRandom(13));
            WeightsFile.LoadInto(path, other.Parameters);
            Assert.Equal(mlp.Parameters.SelectMany(p => p.Data), other.Parameters.SelectMany(p => p.Data));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void WeightsFile_WrongShape_ThrowsInputException()
    {
        var mlp = new Mlp([3, 5, 1], Activation.Tanh, Activation.Identity, new SeededRandom(12));
        var path = Path.GetTempFileName();
        try
        {
            WeightsFile.Save(path, mlp.Parameters);
            var other = new Mlp([3, 6, 1], Activation.Tanh, Activation.Identity, new SeededRandom(13));
            var e = Assert.Throws<InputException>(() => WeightsFile.LoadInto(path, other.Parameters));
            Assert.Contains("mlp.0.weight", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Initializers_Xavier_WithinBoundAndSeeded()
    {
        var a = new Tensor(64, 64);
        var b = new Tensor(64, 64);
        Initializers.XavierUniform(a, new SeededRandom(1));
        Initializers.XavierUniform(b, new SeededRandom(1));
        Assert.Equal(a.Data, b.Data);
        var bound = MathF.Sqrt(6f / 128);
        Assert.All(a.Data, v => Assert.InRange(v, -bound, bound));
    }
}
