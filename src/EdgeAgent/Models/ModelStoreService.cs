using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.EdgeAgent.Inference;
using PvEdge.EdgeAgent.Publishing;
using PvEdge.EdgeAgent.Weather;
using PvEdge.Shared.Bundle;
using PvEdge.Shared.Cli;

namespace PvEdge.EdgeAgent.Models;

/// <summary>Hot reload of model bundles. Every Model:PollSeconds (wall clock) it:
/// <list type="number">
/// <item>takes each bundle in the drop folder that did not change since the previous look; verifies it (SHA-256 of every file, Ed25519
/// signature against Model:PublicKeyFile, known schema, same site); copies it into a staging folder, fsyncs and verifies the copy; loads it;
/// validates it on recent history (<see cref="ModelValidator"/>); renames the staging folder to versions/NNNN-&lt;id&gt;; switches the
/// <c>current</c> pointer (temp + fsync + rename) last; swaps the model in place (<see cref="ModelSlot"/>) and asks for a new forecast.
/// A refused bundle goes to rejected/ with its reason; the model in use does not change;</item>
/// <item>watches a swapped bundle on probation. <b>Rollback rule</b>: at once when the new model throws during inference or answers NaN in
/// daylight; otherwise after Model:ProbationIntervals daylight 15-minute intervals with measured AC since the swap, when its mean absolute
/// error over them exceeds Model:RollbackErrorRatio × the previous model's + 2 % of the AC rating. Otherwise the swap is confirmed and the
/// previous model unloaded (its folder stays).</item>
/// </list>
/// Every outcome is published, retained, on the model topic (<see cref="ModelTopic"/>) and logged as one line.</summary>
public sealed class ModelStoreService : BackgroundService
{
    private static readonly TimeSpan ProbationCheckEvery = TimeSpan.FromMinutes(15);
    private readonly ModelStore _store;
    private readonly ModelSlot _slot;
    private readonly IReadOnlyList<StartNote> _startNotes;
    private readonly ModelValidator _validator;
    private readonly SiteContext _site;
    private readonly StageChannels _channels;
    private readonly PublishQueue _queue;
    private readonly Topics _topics;
    private readonly TimeProvider _time;
    private readonly TimeProvider _wall;
    private readonly ModelOptions _options;
    private readonly ILogger<ModelStoreService> _logger;
    private Dictionary<string, string> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _stuck = new(StringComparer.Ordinal);
    private DateTimeOffset _lastProbationCheck = DateTimeOffset.MinValue;

    public ModelStoreService(ModelStoreStart start, ModelValidator validator, SiteContext site, StageChannels channels, PublishQueue queue, Topics topics,
        TimeProvider time, WallClock wall, IOptions<ModelOptions> options, ILogger<ModelStoreService> logger)
    {
        ArgumentNullException.ThrowIfNull(start);
        _store = start.Store ?? throw new ArgumentException("the model store is off", nameof(start));
        _slot = start.Slot;
        _startNotes = start.Notes;
        _validator = validator;
        _site = site;
        _channels = channels;
        _queue = queue;
        _topics = topics;
        _time = time;
        _wall = wall.Time;
        _options = options.Value;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ModelLog.Watching(_logger, _store.Root, _store.Drop, _options.PollSeconds,
            _store.KeyProblem ?? (_store.TrustedKey is null ? "no Model:PublicKeyFile: bundles are checked by hash only, unsigned ones accepted" : $"signatures checked against {_options.PublicKeyFile}"));
        foreach (var note in _startNotes)
        {
            if (note.Fallback)
            {
                ModelLog.StartFallback(_logger, note.Message);
            }
            else
            {
                ModelLog.StartChoice(_logger, note.Message);
            }
        }
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(_options.PollSeconds), _wall);
        do
        {
            try
            {
                Poll();
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
            {
                // the store must never stop the agent: the model in use stays, the next look tries again
                ModelLog.StoreFailed(_logger, $"{ex.GetType().Name}: {ex.Message}");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>One look at the drop folder and at the model on probation (the service calls it every Model:PollSeconds; tests call it directly).</summary>
    public void Poll()
    {
        _slot.DisposeRetired(_wall.GetUtcNow());
        try
        {
            ScanDrop();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ModelLog.StoreFailed(_logger, ex.Message);
        }
        CheckProbation();
    }

    private void ScanDrop()
    {
        var next = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in _store.DropEntries())
        {
            var fingerprint = ModelStore.Fingerprint(entry);
            if (_stuck.TryGetValue(entry, out var stuck) && stuck == fingerprint)
            {
                continue;
            }
            if (!_seen.TryGetValue(entry, out var before) || before != fingerprint)
            {
                next[entry] = fingerprint; // new or still being copied: take it at the next look if unchanged
                continue;
            }
            if (!Process(entry))
            {
                _stuck[entry] = fingerprint;
            }
        }
        _seen = next;
    }

    /// <summary>Installs or refuses one dropped bundle; false when it could be neither (an I/O error), so it is not retried until it changes.</summary>
    private bool Process(string entry)
    {
        var name = Path.GetFileName(entry);
        var now = _time.GetUtcNow();
        string? staging = null;
        string? modelId = null;
        BundlePowerModel? candidate = null;
        try
        {
            if (_store.KeyProblem is not null)
            {
                throw new InputException($"{entry}: {_store.KeyProblem}");
            }
            var dropped = BundleLoader.Load(entry, _store.TrustedKey);
            modelId = dropped.ModelId;
            if (_slot.Current is BundlePowerModel inUse && inUse.Bundle.ModelId == dropped.ModelId && inUse.Bundle.Manifest.Files.SequenceEqual(dropped.Manifest.Files))
            {
                ModelStore.Remove(entry);
                ModelLog.AlreadyInUse(_logger, name, inUse.Id);
                return true;
            }
            if (Math.Abs(dropped.Site.LatitudeDeg - _site.Latitude) > 0.01 || Math.Abs(dropped.Site.LongitudeDeg - _site.Longitude) > 0.01)
            {
                throw new InputException(string.Create(CultureInfo.InvariantCulture,
                    $"{Path.Combine(entry, dropped.Manifest.Site.File)}: the bundle is for site '{dropped.Site.Name}' at {dropped.Site.LatitudeDeg:0.###}, {dropped.Site.LongitudeDeg:0.###}; this gateway is at {_site.Latitude:0.###}, {_site.Longitude:0.###}"));
            }
            var ratingW = dropped.Site.Inverter.AcCapacityW;
            if (Math.Abs(ratingW - _slot.Current.AcRatingW) > 0.01 * _slot.Current.AcRatingW)
            {
                // the anomaly detectors were set up with the running rating: a new inverter needs a new site file and a restart first
                throw new InputException(string.Create(CultureInfo.InvariantCulture,
                    $"{Path.Combine(entry, dropped.Manifest.Site.File)}: AC rating {ratingW:0} W differs from the {_slot.Current.AcRatingW:0} W of the model in use (update the site file and restart the agent first)"));
            }
            staging = _store.Stage(entry);
            var staged = BundleLoader.Load(staging, _store.TrustedKey);
            if (staged.ModelId != dropped.ModelId || !staged.Manifest.Files.SequenceEqual(dropped.Manifest.Files))
            {
                throw new InputException($"{entry}: changed while it was being installed (copy it to a hidden name first, then rename it into the drop folder)");
            }
            var version = _store.NextVersionName(staged.ModelId);
            // an export limit the model in use was re-tuned with holds the new bundle too, until it is re-tuned in its turn (after probation)
            candidate = BundlePowerModel.Create(staged with { Source = _store.VersionPath(version) }, _options.Runner, _options.Shadow, _slot.Current.ExportLimitW());
            // a re-tuned model learnt the very intervals compared: the bundle it came from, as delivered, stands in for it (the new
            // bundle is re-tuned in its turn)
            var verdict = _validator.Validate(candidate, _slot.Current.Delivered ?? _slot.Current, now, _options.ValidationDays, _options.ValidationMinIntervals, _options.MaxErrorRatio);
            if (!verdict.Accepted)
            {
                Refuse(entry, modelId, $"validation on recent history failed: {verdict.Reason}", verdict.Comparison);
                return true;
            }
            _store.Commit(staging, version);
            staging = null;
            var previous = _slot.Current;
            var previousVersion = VersionOf(previous);
            _store.WritePointer(new StorePointer(StorePointer.CurrentSchema, version, previousVersion, ModelStatus.Probation, now, verdict.Reason));
            var model = candidate;
            candidate = null;
            _slot.Swap(model, previous, new ModelStatus("store", version, ModelStatus.Probation,
                new ModelEvent("installed", now, name, model.Id, verdict.Reason, verdict.Comparison), now), _wall.GetUtcNow());
            _lastProbationCheck = DateTimeOffset.MinValue;
            try
            {
                ModelStore.Remove(entry);
                _store.Prune([version, previousVersion]);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // installed all the same; a copy left in the drop folder is found "already in use" at the next look
                ModelLog.StoreFailed(_logger, $"clean-up after installing {name}: {ex.Message}");
            }
            ModelLog.Installed(_logger, name, version, model.Id, previous.Id, verdict.Reason, _options.ProbationIntervals);
            Changed("new model");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ModelLog.StoreFailed(_logger, $"{entry}: {ex.Message}");
            return false;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException and not Microsoft.Data.Sqlite.SqliteException)
        {
            // whatever else a bundle makes the loader, ONNX Runtime, the formulas or the validation throw is the bundle's fault
            return TryRefuse(entry, modelId, ex is InputException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            candidate?.Dispose();
            if (staging is not null && Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    private bool TryRefuse(string entry, string? modelId, string reason)
    {
        try
        {
            Refuse(entry, modelId, reason, null);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ModelLog.StoreFailed(_logger, $"{entry} refused ({reason}) but not moved aside: {ex.Message}");
            return false;
        }
    }

    private void Refuse(string entry, string? modelId, string reason, ModelComparison? comparison)
    {
        var target = _store.Reject(entry, reason, _time.GetUtcNow());
        ModelLog.Refused(_logger, Path.GetFileName(entry), reason, target, _slot.Current.Id);
        _slot.SetStatus(_slot.Status with { LastEvent = new ModelEvent("refused", _time.GetUtcNow(), Path.GetFileName(entry), modelId, reason, comparison) });
        Publish();
    }

    private void CheckProbation()
    {
        var status = _slot.Status;
        if (status.State != ModelStatus.Probation || _slot.Baseline is not { } baseline)
        {
            return;
        }
        var now = _time.GetUtcNow();
        var failure = _slot.Failure ?? (_slot.Current is BundlePowerModel b && b.NonFiniteOutputs > 0
            ? $"{b.NonFiniteOutputs} NaN or infinite output(s) in daylight"
            : null);
        if (failure is not null)
        {
            Rollback($"inference failed after the swap ({failure})", null);
            return;
        }
        if (now - _lastProbationCheck < ProbationCheckEvery)
        {
            return;
        }
        _lastProbationCheck = now;
        var since = status.Since ?? now;
        var intervals = _validator.Intervals(since, now);
        if (intervals.Count < _options.ProbationIntervals)
        {
            return;
        }
        ModelComparison comparison;
        var reference = baseline.Delivered ?? baseline;
        try
        {
            comparison = ModelValidator.Compare(_slot.Current, reference, intervals);
        }
        catch (Exception ex) when (ModelSlot.IsInferenceFailure(ex))
        {
            Rollback($"inference failed after the swap ({ex.GetType().Name}: {ex.Message})", null);
            return;
        }
        var text = string.Create(CultureInfo.InvariantCulture,
            $"live daylight MAE {comparison.CandidateMaeW:0.0} W against {comparison.ReferenceMaeW:0.0} W of {reference.Id} over {comparison.Intervals} intervals since {since:o}");
        if (ModelValidator.ClearlyWorse(comparison, _options.RollbackErrorRatio, _slot.Current.AcRatingW))
        {
            Rollback($"{text}: above {_options.RollbackErrorRatio.ToString(CultureInfo.InvariantCulture)}x + {ModelValidator.MarginOfRating:P0} of the rating", comparison);
            return;
        }
        try
        {
            _store.WritePointer(new StorePointer(StorePointer.CurrentSchema, status.Version, VersionOf(baseline), ModelStatus.Confirmed, since, text));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ModelLog.StoreFailed(_logger, ex.Message);
            return;
        }
        _slot.Confirm(status with { State = ModelStatus.Confirmed, LastEvent = new ModelEvent("confirmed", now, status.Version, _slot.Current.Id, text, comparison) },
            _wall.GetUtcNow());
        ModelLog.Confirmed(_logger, _slot.Current.Id, text);
        Publish();
    }

    /// <summary>Switches back to the baseline: the pointer first (to the baseline's store version, or none = the configured bundle or physics),
    /// then the failed version is moved to rejected/, then the model in use.</summary>
    private void Rollback(string reason, ModelComparison? comparison)
    {
        var status = _slot.Status;
        var failed = _slot.Current;
        var baseline = _slot.Baseline!;
        var now = _time.GetUtcNow();
        var baselineVersion = VersionOf(baseline);
        try
        {
            _store.WritePointer(new StorePointer(StorePointer.CurrentSchema, baselineVersion, null, ModelStatus.Confirmed, now, $"rolled back from {status.Version}: {reason}"));
            if (status.Version is { } v && Directory.Exists(_store.VersionPath(v)))
            {
                _store.Reject(_store.VersionPath(v), $"rolled back: {reason}", now);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ModelLog.StoreFailed(_logger, $"rollback of {status.Version}: {ex.Message}");
        }
        var source = baselineVersion is not null ? "store" : baseline is PhysicsPowerModel ? "physics" : "configured";
        _slot.Swap(baseline, null, new ModelStatus(source, baselineVersion, baselineVersion is null ? ModelStatus.Fixed : ModelStatus.Confirmed,
            new ModelEvent("rolled_back", now, status.Version, failed.Id, reason, comparison)), _wall.GetUtcNow());
        ModelLog.RolledBack(_logger, failed.Id, baseline.Id, reason);
        Changed("model rolled back");
    }

    /// <summary>The store version a model was loaded from, or null (configured bundle, physics).</summary>
    private string? VersionOf(IPowerModel model)
    {
        if (model is not BundlePowerModel b)
        {
            return null;
        }
        var source = Path.GetFullPath(b.Bundle.Source);
        return string.Equals(Path.GetDirectoryName(source), _store.Versions, StringComparison.Ordinal) ? Path.GetFileName(source) : null;
    }

    private void Changed(string reason)
    {
        Publish();
        _channels.ForecastRequests.Writer.TryWrite(reason);
    }

    private void Publish() => _queue.PublishRetained(_topics.Model, ModelTopic.Payload(_topics.Gateway, _time.GetUtcNow(), _slot));
}
