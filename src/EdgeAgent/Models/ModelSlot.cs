using PvEdge.EdgeAgent.Inference;
using PvEdge.EdgeAgent.Weather;

namespace PvEdge.EdgeAgent.Models;

/// <summary>How one bundle compared with the model in use on the same history intervals (daylight 15-minute intervals with measured AC).</summary>
/// <param name="Intervals">intervals compared</param>
/// <param name="CandidateMaeW">mean absolute error of the new bundle, W (null without intervals)</param>
/// <param name="ReferenceMaeW">mean absolute error of the model it is compared with, W</param>
/// <param name="BadOutputs">raw outputs that were NaN, negative or above the AC rating</param>
/// <param name="Checked">raw outputs checked</param>
public sealed record ModelComparison(int Intervals, double? CandidateMaeW, double? ReferenceMaeW, int BadOutputs, int Checked);

/// <summary>Something the model store did, as published on the model topic: <c>installed</c>, <c>refused</c>, <c>rolled_back</c>,
/// <c>confirmed</c> or <c>fallback</c> (at start); <c>retuned</c> or <c>retune_refused</c> (the nightly fine-tuning, <see cref="RetuneService"/>).</summary>
public sealed record ModelEvent(string Type, DateTimeOffset AtUtc, string? Bundle, string? ModelId, string Reason, ModelComparison? Validation = null);

/// <summary>Where the model in use came from: <c>store</c> (a version of the model store), <c>configured</c> (Model:BundlePath) or
/// <c>physics</c>; its store version; <c>probation</c> (freshly swapped, the previous model kept to roll back to), <c>confirmed</c>
/// or <c>fixed</c> (no store); the store's last event; and when probation began (plant time).</summary>
public sealed record ModelStatus(string Source, string? Version, string State, ModelEvent? LastEvent, DateTimeOffset? Since = null)
{
    public const string Probation = "probation";
    public const string Confirmed = "confirmed";
    public const string Fixed = "fixed";
}

/// <summary>The power model the agent uses, swappable in place: the forecast and anomaly stages hold this one <see cref="IPowerModel"/> and
/// get whatever model is current at each call, so a new bundle is used without restarting the pipeline. During probation the previous
/// model stays loaded (<see cref="Baseline"/>); when the current model throws, the call is answered by the baseline and the failure is
/// recorded for the store to roll back. Models taken out of use are disposed a minute later, after any call still running on them; the
/// model the slot started with is never disposed here (others, such as the in-process simulated plant, may hold it).</summary>
public sealed class ModelSlot : IPowerModel, IDisposable
{
    private static readonly TimeSpan RetireAfter = TimeSpan.FromMinutes(1);
    private readonly Lock _gate = new();
    private readonly List<(IPowerModel Model, DateTimeOffset AtUtc)> _retired = [];
    private readonly IPowerModel _initial;
    private volatile State _state;
    private string? _failure;

    private sealed record State(IPowerModel Current, IPowerModel? Baseline, ModelStatus Status);

    public ModelSlot(IPowerModel initial, ModelStatus? status = null, IPowerModel? baseline = null)
    {
        ArgumentNullException.ThrowIfNull(initial);
        _initial = initial;
        _state = new State(initial, baseline, status ?? new ModelStatus(initial is PhysicsPowerModel ? "physics" : "configured", null, ModelStatus.Fixed, null));
    }

    public IPowerModel Current => _state.Current;

    /// <summary>The model in use before the last swap, kept loaded while the new one is on probation.</summary>
    public IPowerModel? Baseline => _state.Baseline;

    public ModelStatus Status => _state.Status;

    /// <summary>The first inference error of the current model since it was swapped in (null when none).</summary>
    public string? Failure => Volatile.Read(ref _failure);

    public string Id => _state.Current.Id;

    public string Runner => _state.Current.Runner;

    public double AcRatingW => _state.Current.AcRatingW;

    public double AcLimitW => _state.Current.AcLimitW;

    public IPowerModel? Delivered => _state.Current.Delivered;

    public double DcRatingW => _state.Current.DcRatingW;

    public (double P10, double P90) ResidualQuantiles => _state.Current.ResidualQuantiles;

    public double ExpectedAcW(in WeatherPoint weather, TimeSpan step)
    {
        var s = _state;
        try
        {
            return s.Current.ExpectedAcW(weather, step);
        }
        catch (Exception ex) when (s.Baseline is not null && IsInferenceFailure(ex))
        {
            RecordFailure(ex);
            return s.Baseline.ExpectedAcW(weather, step);
        }
    }

    public void ExpectedAcW(ReadOnlySpan<WeatherPoint> weather, TimeSpan step, Span<double> acW)
    {
        var s = _state;
        try
        {
            s.Current.ExpectedAcW(weather, step, acW);
        }
        catch (Exception ex) when (s.Baseline is not null && IsInferenceFailure(ex))
        {
            RecordFailure(ex);
            s.Baseline.ExpectedAcW(weather, step, acW);
        }
    }

    public double? ExpectedAcFromPoaW(double poaWm2, double moduleTempC)
    {
        var s = _state;
        try
        {
            return s.Current.ExpectedAcFromPoaW(poaWm2, moduleTempC);
        }
        catch (Exception ex) when (s.Baseline is not null && IsInferenceFailure(ex))
        {
            RecordFailure(ex);
            return s.Baseline.ExpectedAcFromPoaW(poaWm2, moduleTempC);
        }
    }

    private void RecordFailure(Exception ex) => Interlocked.CompareExchange(ref _failure, $"{ex.GetType().Name}: {ex.Message}", null);

    /// <summary>Errors a broken model raises while inferring (ONNX Runtime, shapes, arithmetic), as opposed to the caller's bugs.</summary>
    public static bool IsInferenceFailure(Exception ex) =>
        ex is Microsoft.ML.OnnxRuntime.OnnxRuntimeException or InvalidOperationException or ArgumentException or ArithmeticException or IndexOutOfRangeException;

    /// <summary>Puts <paramref name="next"/> in use; <paramref name="baseline"/> (usually the model in use until now) stays loaded for a
    /// rollback. Every model no longer referenced is retired.</summary>
    public void Swap(IPowerModel next, IPowerModel? baseline, ModelStatus status, DateTimeOffset nowUtc)
    {
        ArgumentNullException.ThrowIfNull(next);
        lock (_gate)
        {
            var old = _state;
            _state = new State(next, baseline, status);
            Volatile.Write(ref _failure, null);
            foreach (var m in new[] { old.Current, old.Baseline })
            {
                if (m is not null && !ReferenceEquals(m, next) && !ReferenceEquals(m, baseline) && !ReferenceEquals(m, _initial))
                {
                    _retired.Add((m, nowUtc));
                }
            }
        }
    }

    /// <summary><see cref="Swap"/> only while <paramref name="expected"/> is still the model in use (another stage may have swapped since
    /// it was read); false when it is not.</summary>
    public bool SwapIfCurrent(IPowerModel expected, IPowerModel next, IPowerModel? baseline, ModelStatus status, DateTimeOffset nowUtc)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(_state.Current, expected))
            {
                return false;
            }
            Swap(next, baseline, status, nowUtc);
            return true;
        }
    }

    /// <summary>Ends probation: the baseline is retired, the current model stays.</summary>
    public void Confirm(ModelStatus status, DateTimeOffset nowUtc)
    {
        var s = _state;
        Swap(s.Current, null, status, nowUtc);
    }

    /// <summary>Replaces the published status (an event) without changing the models.</summary>
    public void SetStatus(ModelStatus status)
    {
        lock (_gate)
        {
            _state = _state with { Status = status };
        }
    }

    /// <summary>Disposes the models retired more than a minute before <paramref name="nowUtc"/> (or all with null).</summary>
    public int DisposeRetired(DateTimeOffset? nowUtc)
    {
        List<IPowerModel> done;
        lock (_gate)
        {
            done = _retired.Where(r => nowUtc is null || nowUtc.Value - r.AtUtc >= RetireAfter).Select(r => r.Model).ToList();
            _retired.RemoveAll(r => done.Contains(r.Model));
        }
        foreach (var m in done)
        {
            (m as IDisposable)?.Dispose();
        }
        return done.Count;
    }

    public void Dispose()
    {
        var s = _state;
        DisposeRetired(null);
        foreach (var m in new[] { s.Current, s.Baseline, _initial }.Distinct())
        {
            (m as IDisposable)?.Dispose();
        }
    }
}
