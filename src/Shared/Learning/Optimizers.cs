namespace PvEdge.Shared.Learning;

/// <summary>Updates parameters from their accumulated <see cref="Tensor.Grad"/>.</summary>
public interface IOptimizer
{
    void Step(IReadOnlyList<Tensor> parameters);
}

/// <summary>Adam (Kingma &amp; Ba 2015); with <see cref="WeightDecay"/> &gt; 0 it is AdamW (decoupled decay, Loshchilov &amp; Hutter 2019).</summary>
public sealed class Adam : IOptimizer
{
    private readonly Dictionary<Tensor, (float[] M, float[] V)> _state = new(ReferenceEqualityComparer.Instance);
    private int _t;

    public float LearningRate { get; set; } = 1e-3f;

    public float Beta1 { get; init; } = 0.9f;

    public float Beta2 { get; init; } = 0.999f;

    public float Epsilon { get; init; } = 1e-8f;

    public float WeightDecay { get; init; }

    /// <summary>Optional clip of the global gradient norm (0 = none).</summary>
    public float MaxGradNorm { get; init; }

    public int Steps => _t;

    public void Step(IReadOnlyList<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _t++;
        var clip = 1f;
        if (MaxGradNorm > 0)
        {
            var sq = 0.0;
            for (var i = 0; i < parameters.Count; i++)
            {
                var p = parameters[i];
                sq += System.Numerics.Tensors.TensorPrimitives.SumOfSquares(p.Grad.Data);
            }
            var norm = Math.Sqrt(sq);
            if (norm > MaxGradNorm)
            {
                clip = (float)(MaxGradNorm / norm);
            }
        }
        var c1 = 1 - MathF.Pow(Beta1, _t);
        var c2 = 1 - MathF.Pow(Beta2, _t);
        var lr = LearningRate;
        for (var i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            if (!_state.TryGetValue(p, out var s))
            {
                s = (new float[p.Length], new float[p.Length]);
                _state[p] = s;
            }
            var w = p.Data;
            var g = p.Grad.Data;
            var m = s.M;
            var v = s.V;
            for (var k = 0; k < w.Length; k++)
            {
                var gk = g[k] * clip;
                m[k] = Beta1 * m[k] + (1 - Beta1) * gk;
                v[k] = Beta2 * v[k] + (1 - Beta2) * gk * gk;
                var mh = m[k] / c1;
                var vh = v[k] / c2;
                w[k] -= lr * (mh / (MathF.Sqrt(vh) + Epsilon) + WeightDecay * w[k]);
            }
        }
    }
}

/// <summary>Plain stochastic gradient descent (for tests and baselines).</summary>
public sealed class Sgd(float learningRate) : IOptimizer
{
    public float LearningRate { get; set; } = learningRate;

    public void Step(IReadOnlyList<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        for (var i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(p.Grad.Data, -LearningRate, p.Data, p.Data);
        }
    }
}
