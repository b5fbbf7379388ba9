namespace PvEdge.Shared.Learning;

/// <summary>One shard of a minibatch as the loss function sees it.</summary>
/// <param name="X">features of the shard's rows (rows × feature columns)</param>
/// <param name="Y">labels (rows × label columns; NaN = missing)</param>
/// <param name="LossScale">1 / (valid labels in the whole minibatch): multiply summed errors by it so shard losses add up to the batch mean</param>
/// <param name="Fraction">shard rows / batch rows: weight for per-shard regularisers</param>
/// <param name="Shard">shard number (fixed order)</param>
public readonly record struct ShardBatch(Tensor X, Tensor Y, float LossScale, float Fraction, int Shard);

/// <summary>Builds the loss of one shard on its own tape.</summary>
public delegate Var ShardLoss(Tape tape, ShardBatch batch);

/// <summary>Data-parallel minibatch training: a batch is split into a fixed number of contiguous shards, each shard runs
/// forward and backward on its own <see cref="Tape"/> (on its own thread), and the gradients are summed in shard
/// order 0, 1, … — so the result for a seed does not depend on thread timing, only on the shard count.
/// Worker threads are created once; a step allocates nothing after warm-up.</summary>
public sealed class DataParallelTrainer : IDisposable
{
    private readonly Tensor[] _parameters;
    private readonly IOptimizer _optimizer;
    private readonly ShardLoss _loss;
    private readonly Tape[] _tapes;
    private readonly Tensor?[] _shardX;
    private readonly Tensor?[] _shardY;
    private readonly double[] _shardLoss;
    private readonly Thread[] _workers;
    private readonly SemaphoreSlim[] _go;
    private readonly CountdownEvent _done;
    private readonly Exception?[] _errors;
    private volatile bool _stopping;
    private Tensor? _dataX;
    private Tensor? _dataY;
    private int[]? _indices;
    private int _offset;
    private int _batchRows;
    private float _lossScale;

    public DataParallelTrainer(IEnumerable<Tensor> parameters, IOptimizer optimizer, ShardLoss loss, int shards)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shards);
        _parameters = [.. parameters.Distinct(ReferenceEqualityComparer.Instance).Cast<Tensor>()];
        _optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        _loss = loss ?? throw new ArgumentNullException(nameof(loss));
        Shards = shards;
        _tapes = new Tape[shards];
        _shardX = new Tensor?[shards];
        _shardY = new Tensor?[shards];
        _shardLoss = new double[shards];
        _errors = new Exception?[shards];
        var trainable = new HashSet<Tensor>(_parameters, ReferenceEqualityComparer.Instance);
        for (var s = 0; s < shards; s++)
        {
            _tapes[s] = new Tape { Trainable = trainable };
        }
        _go = new SemaphoreSlim[shards];
        _workers = new Thread[shards - 1];
        _done = new CountdownEvent(1);
        for (var s = 1; s < shards; s++)
        {
            _go[s] = new SemaphoreSlim(0);
            var shard = s;
            _workers[s - 1] = new Thread(() => WorkerLoop(shard)) { IsBackground = true, Name = $"learning-shard-{s}" };
            _workers[s - 1].Start();
        }
    }

    public int Shards { get; }

    public IReadOnlyList<Tensor> Parameters => _parameters;

    /// <summary>The tape of a shard (for inspecting values after a step).</summary>
    public Tape ShardTape(int shard) => _tapes[shard];

    /// <summary>One optimisation step on rows <paramref name="indices"/>[offset .. offset+count) of the data set.</summary>
    /// <returns>The minibatch loss (sum of the shard losses).</returns>
    public double Step(Tensor x, Tensor y, int[] indices, int offset, int count)
    {
        ComputeGradients(x, y, indices, offset, count);
        _optimizer.Step(_parameters);
        var total = 0.0;
        for (var s = 0; s < Shards; s++)
        {
            total += _shardLoss[s];
        }
        return total;
    }

    /// <summary>Forward and backward over the rows without updating: leaves the summed gradient in each parameter's Grad
    /// and returns the loss (for L-BFGS over a full batch).</summary>
    public double ComputeGradients(Tensor x, Tensor y, int[] indices, int offset, int count)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(indices);
        if (count <= 0 || offset < 0 || offset + count > indices.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }
        _dataX = x;
        _dataY = y;
        _indices = indices;
        _offset = offset;
        _batchRows = count;
        var valid = 0;
        for (var r = 0; r < count; r++)
        {
            valid += Tape.CountValid(y.Row(indices[offset + r]));
        }
        _lossScale = 1f / Math.Max(1, valid);
        if (Shards > 1)
        {
            _done.Reset(Shards - 1);
            for (var s = 1; s < Shards; s++)
            {
                _go[s].Release();
            }
        }
        RunShard(0);
        if (Shards > 1)
        {
            _done.Wait();
        }
        for (var s = 0; s < Shards; s++)
        {
            if (_errors[s] is { } e)
            {
                _errors[s] = null;
                throw new InvalidOperationException($"shard {s} failed: {e.Message}", e);
            }
        }
        // sum gradients in fixed shard order
        foreach (var p in _parameters)
        {
            p.Grad.Clear();
        }
        var total = 0.0;
        for (var s = 0; s < Shards; s++)
        {
            var tape = _tapes[s];
            for (var k = 0; k < tape.ParameterCount; k++)
            {
                var (p, g) = tape.ParameterGradient(k);
                System.Numerics.Tensors.TensorPrimitives.Add(p.Grad.Data, g.Data, p.Grad.Data);
            }
            total += _shardLoss[s];
        }
        return total;
    }

    private void WorkerLoop(int shard)
    {
        while (true)
        {
            _go[shard].Wait();
            if (_stopping)
            {
                return;
            }
            try
            {
                RunShard(shard);
            }
            finally
            {
                _done.Signal();
            }
        }
    }

    private void RunShard(int shard)
    {
        try
        {
            var per = (_batchRows + Shards - 1) / Shards;
            var start = shard * per;
            var rows = Math.Min(per, _batchRows - start);
            var tape = _tapes[shard];
            tape.Reset();
            if (rows <= 0)
            {
                _shardLoss[shard] = 0;
                return;
            }
            var dx = _dataX!;
            var dy = _dataY!;
            var xs = _shardX[shard] = Fit(_shardX[shard], rows, dx.Cols);
            var ys = _shardY[shard] = Fit(_shardY[shard], rows, dy.Cols);
            for (var r = 0; r < rows; r++)
            {
                var src = _indices![_offset + start + r];
                dx.Row(src).CopyTo(xs.Row(r));
                dy.Row(src).CopyTo(ys.Row(r));
            }
            var loss = _loss(tape, new ShardBatch(xs, ys, _lossScale, rows / (float)_batchRows, shard));
            tape.Backward(loss);
            _shardLoss[shard] = tape.Value(loss).Data[0];
        }
#pragma warning disable CA1031 // a shard's failure is rethrown on the calling thread
        catch (Exception e)
#pragma warning restore CA1031
        {
            _errors[shard] = e;
        }
    }

    private static Tensor Fit(Tensor? t, int rows, int cols) => t is not null && t.Rows == rows && t.Cols == cols ? t : new Tensor(rows, cols);

    public void Dispose()
    {
        _stopping = true;
        for (var s = 1; s < Shards; s++)
        {
            _go[s].Release();
        }
        foreach (var w in _workers)
        {
            w.Join();
        }
        for (var s = 1; s < Shards; s++)
        {
            _go[s].Dispose();
        }
        _done.Dispose();
    }
}

/// <summary>Shuffled minibatches over n rows, seeded: <see cref="NextEpoch"/> reshuffles the index permutation.</summary>
public sealed class Minibatcher
{
    private readonly SeededRandom _rng;

    public Minibatcher(int rows, int batchSize, SeededRandom rng)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        _rng = rng ?? throw new ArgumentNullException(nameof(rng));
        BatchSize = batchSize;
        Indices = new int[rows];
        for (var k = 0; k < rows; k++)
        {
            Indices[k] = k;
        }
    }

    public int BatchSize { get; }

#pragma warning disable CA1819 // the trainer reads slices of this permutation without copying
    public int[] Indices { get; }
#pragma warning restore CA1819

    public int BatchesPerEpoch => (Indices.Length + BatchSize - 1) / BatchSize;

    public void NextEpoch() => _rng.Shuffle(Indices);

    /// <summary>Offset and row count of batch b of the current epoch.</summary>
    public (int Offset, int Count) Batch(int b)
    {
        var o = b * BatchSize;
        return (o, Math.Min(BatchSize, Indices.Length - o));
    }
}
