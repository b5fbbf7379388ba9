using PvEdge.Shared.Learning;

namespace PvEdge.Shared.Learning.Chain;

/// <summary>Hyper-parameters of one training run.</summary>
public sealed record TrainingOptions(int Epochs, int BatchSize, float LearningRate, int Threads, ulong Seed, float WeightDecay = 0)
{
    public static int DefaultThreads => Math.Clamp(Environment.ProcessorCount, 1, 4);
}

/// <summary>What a run did.</summary>
public sealed record TrainingSummary(int Rows, int Epochs, int Steps, double FirstEpochLoss, double FinalLoss, double Seconds, double SamplesPerSecond)
{
    /// <summary>Mornings and afternoons of the history left out because the weather could not explain them (<see cref="DayScreen"/>).</summary>
    public IReadOnlyList<ScreenedHalfDay> ScreenedHalfDays { get; init; } = [];

    /// <summary>Set when the weather was judged too uncertain for the full schedule (<see cref="SiteAdaptation.NoisyWeatherResidual"/>).</summary>
    public NoisyWeatherFinding? NoisyWeather { get; init; }
}

/// <summary>Why the weather was judged too uncertain: the AC residual after the first two stages (fraction of the rating, the
/// median over the days of each day's RMS) and its correlation with the residual one day earlier at the same time of day.</summary>
public sealed record NoisyWeatherFinding(double ResidualOfRating, double DayToDayCorrelation);

/// <summary>Adam on several parameter groups with their own learning rates (e.g. site parameters fast, shared nets slow).</summary>
public sealed class GroupedAdam : IOptimizer
{
    private readonly (Tensor[] Parameters, Adam Optimizer)[] _groups;

    public GroupedAdam(params (IEnumerable<Tensor> Parameters, float LearningRate)[] groups)
    {
        _groups = [.. groups.Select(g => (g.Parameters.ToArray(), new Adam { LearningRate = g.LearningRate, MaxGradNorm = 10f }))];
    }

    public IEnumerable<Tensor> Parameters => _groups.SelectMany(g => g.Parameters);

    public void Step(IReadOnlyList<Tensor> parameters)
    {
        foreach (var (ps, opt) in _groups)
        {
            opt.Step(ps);
        }
    }

    /// <summary>Multiplies every group's learning rate (a schedule).</summary>
    public void Scale(float factor)
    {
        foreach (var (_, opt) in _groups)
        {
            opt.LearningRate *= factor;
        }
    }
}

/// <summary>Minibatch training of a <see cref="ChainModel"/> on daylight rows with the data-parallel trainer.</summary>
public static class ChainTraining
{
    /// <summary>Indices of rows worth training on: sun up and at least one label present.</summary>
    public static int[] TrainableRows(Tensor x, Tensor y, Func<int, bool>? include = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var rows = new List<int>();
        for (var r = 0; r < x.Rows; r++)
        {
            if (x[r, ChainColumns.Elevation] <= 0 || (include is not null && !include(r)))
            {
                continue;
            }
            var any = false;
            foreach (var v in y.Row(r))
            {
                any |= !float.IsNaN(v);
            }
            if (any)
            {
                rows.Add(r);
            }
        }
        return [.. rows];
    }

    /// <summary>Trains <paramref name="optimizer"/>'s parameters; the learning rate decays by 10× over the run (cosine-free step schedule).</summary>
    public static TrainingSummary Train(ChainModel model, Tensor x, Tensor y, int[] rows, GroupedAdam optimizer, TrainingOptions options,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Length == 0)
        {
            throw new ArgumentException("no rows to train on", nameof(rows));
        }
        // the trainer reads rows through an index array: restrict it to the chosen rows
        var batches = new Minibatcher(rows.Length, Math.Min(options.BatchSize, rows.Length), new SeededRandom(options.Seed));
        var indices = new int[rows.Length];
        using var trainer = new DataParallelTrainer(optimizer.Parameters, optimizer, model.Loss, options.Threads);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        double first = double.NaN, last = double.NaN;
        var steps = 0;
        var decay = MathF.Pow(0.1f, 1f / Math.Max(1, options.Epochs));
        for (var epoch = 0; epoch < options.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            batches.NextEpoch();
            for (var k = 0; k < rows.Length; k++)
            {
                indices[k] = rows[batches.Indices[k]];
            }
            var sum = 0.0;
            for (var b = 0; b < batches.BatchesPerEpoch; b++)
            {
                var (o, c) = batches.Batch(b);
                sum += trainer.Step(x, y, indices, o, c) * c;
                steps++;
            }
            var epochLoss = sum / rows.Length;
            if (epoch == 0)
            {
                first = epochLoss;
            }
            last = epochLoss;
            optimizer.Scale(decay);
            progress?.Report((epoch + 1) / (double)options.Epochs);
        }
        var seconds = sw.Elapsed.TotalSeconds;
        return new TrainingSummary(rows.Length, options.Epochs, steps, first, last, seconds, rows.Length * (double)options.Epochs / Math.Max(1e-9, seconds));
    }

    /// <summary>Full-batch L-BFGS of N3's parameters on <see cref="ChainModel.MeasuredDcInverterLoss"/> over at most
    /// <paramref name="maxRows"/> rows that measure DC: minibatch Adam leaves the few inverter parameters where gradient noise
    /// balances (the no-load loss, a 0.1 % effect on AC, sets the low-load efficiency), and the chain's own AC loss lets them
    /// trade with the module net's errors; measured AC/DC pairs pin them. Returns the final loss (NaN when no row has DC).</summary>
    public static double PolishInverter(ChainModel model, Tensor x, Tensor y, int[] rows, int threads, int maxRows = 200_000, int iterations = 40)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(rows);
        var withDc = rows.Where(r => !float.IsNaN(y[r, ChainColumns.LabelDc])).ToArray();
        if (withDc.Length == 0)
        {
            return double.NaN;
        }
        var pick = Spread(withDc, maxRows);
        var parameters = model.Nets.InverterParameters.ToArray();
        using var trainer = new DataParallelTrainer(parameters, new Sgd(0), model.MeasuredDcInverterLoss, threads);
        // the loss is ~1e-5 (squared fractions of the rating): tolerances well below the default ones
        var lbfgs = new Lbfgs { MaxIterations = iterations, GradientTolerance = 1e-10, FunctionTolerance = 1e-14 };
        return lbfgs.Minimize(parameters, () => trainer.ComputeGradients(x, y, pick, 0, pick.Length)).Loss;
    }

    // n rows evenly spread over the array (all of them when it has fewer)
    private static int[] Spread(int[] rows, int n) =>
        rows.Length <= n ? rows : [.. Enumerable.Range(0, n).Select(i => rows[(int)((long)i * rows.Length / n)])];

    /// <summary>Full-batch L-BFGS over the given parameters (few parameters: per-site fine-tuning).</summary>
    public static double Lbfgs(ChainModel model, Tensor x, Tensor y, int[] rows, IReadOnlyList<Tensor> parameters, int iterations, int threads)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(rows);
        using var trainer = new DataParallelTrainer(parameters, new Sgd(0), model.Loss, threads);
        var (loss, _) = new Lbfgs { MaxIterations = iterations }.Minimize(parameters, () => trainer.ComputeGradients(x, y, rows, 0, rows.Length));
        return loss;
    }
}
