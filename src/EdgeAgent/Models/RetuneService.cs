using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Anomalies;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.EdgeAgent.Inference;
using PvEdge.EdgeAgent.Publishing;
using PvEdge.EdgeAgent.Weather;
using PvEdge.Shared.Learning.Chain;

namespace PvEdge.EdgeAgent.Models;

/// <summary>Nightly fine-tuning on the gateway. Once for each bundle put in use and then every night from Model:RetuneLocalHour (site
/// time), it fine-tunes the bundle's chain again, from the foundation the bundle carries, on the last Model:RetuneDays days of the site's
/// own history (<see cref="SiteRetuner"/>), so the shading field keeps up with the sun's path as the season moves (the held-out fleet
/// study: a ratio to the noise floor of 1.14–1.18 re-tuned daily, 1.62–2.04 fine-tuned once, over three foundation seeds). The new model
/// is checked like a new bundle (<see cref="ModelValidator"/>: sane raw outputs; on the intervals it learnt from, a mean absolute error not
/// above the model in use + 2 % of the rating) and swapped in place; a bundle on probation is left alone, and while the anomaly stage
/// has a fault open (<see cref="OpenFaults"/>), or has not yet watched an hour of daylight since the start, the re-tuning waits. The outcome is published on the
/// model topic (<c>retuned</c> or <c>retune_refused</c>) and logged as one line; a failure leaves the model in use.</summary>
public sealed class RetuneService : BackgroundService
{
    private static readonly TimeSpan LookEvery = TimeSpan.FromMinutes(10);
    private readonly ModelSlot _slot;
    private readonly ModelValidator _validator;
    private readonly SiteContext _site;
    private readonly StageChannels _channels;
    private readonly PublishQueue _queue;
    private readonly Topics _topics;
    private readonly TimeProvider _time;
    private readonly TimeProvider _wall;
    private readonly ModelOptions _options;
    private readonly ILogger<RetuneService> _logger;
    private readonly OpenFaults _faults;
    private string? _lastBundle;
    private string? _waitedFor;
    private DateOnly _lastLocalDay;

    public RetuneService(ModelSlot slot, ModelValidator validator, SiteContext site, StageChannels channels, PublishQueue queue, Topics topics,
        TimeProvider time, WallClock wall, IOptions<ModelOptions> options, ILogger<RetuneService> logger, OpenFaults faults)
    {
        ArgumentNullException.ThrowIfNull(wall);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(faults);
        _slot = slot;
        _validator = validator;
        _site = site;
        _channels = channels;
        _queue = queue;
        _topics = topics;
        _time = time;
        _wall = wall.Time;
        _options = options.Value;
        _logger = logger;
        _faults = faults;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(LookEvery, _time);
        do
        {
            if (!Due(_time.GetUtcNow()))
            {
                continue;
            }
            try
            {
                // training takes seconds on a Pi: off the timer's thread, at the pool's pace
                await Task.Run(() => RunOnce(stoppingToken), stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
            {
                ModelLog.RetuneFailed(_logger, $"{ex.GetType().Name}: {ex.Message}", _slot.Id);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>One line for <c>edgeagent check-config</c>: whether the model at start would be fine-tuned every night, and why not.</summary>
    public static string Describe(ModelOptions options, IPowerModel model)
    {
        ArgumentNullException.ThrowIfNull(options);
        return !options.Retune ? "off (Model:Retune false)"
            : model is not BundlePowerModel b ? $"none ({model.Runner} model, no bundle)"
            : SiteRetuner.Unsupported(b.Bundle) is { } why ? $"none ({why})"
            : string.Create(CultureInfo.InvariantCulture, $"on, from the bundle's foundation on the last {options.RetuneDays} days, every night from {options.RetuneLocalHour:00}:00 site time");
    }

    /// <summary>True when a re-tuning is due: the bundle in use was never re-tuned, or a new local day has reached Model:RetuneLocalHour;
    /// never while a new bundle is on probation or when the model in use is not a bundle's.</summary>
    public bool Due(DateTimeOffset nowUtc)
    {
        if (_slot.Current is not BundlePowerModel current || _slot.Status.State == ModelStatus.Probation)
        {
            return false;
        }
        var local = TimeZoneInfo.ConvertTime(nowUtc, _site.TimeZone);
        return current.Bundle.ModelId != _lastBundle || (DateOnly.FromDateTime(local.Date) > _lastLocalDay && local.Hour >= _options.RetuneLocalHour);
    }

    /// <summary>One re-tuning of the model in use (the service calls it when <see cref="Due"/>; tests call it directly). Returns the
    /// event published, or null when no model was made (too little history, no foundation, a fault open), which is logged.</summary>
    public ModelEvent? RunOnce(CancellationToken cancellationToken = default)
    {
        if (_slot.Current is not BundlePowerModel current)
        {
            return null;
        }
        var now = _time.GetUtcNow();
        // the window would teach the model a fault; looked at again every 10 minutes, done once it closes
        var wait = !_faults.Watched ? ("watch", $"the anomaly stage has not yet judged {OpenFaults.WatchedMinutes:F0} minutes of daylight since the start (a fault that began while the agent was down must show first)")
            : _faults.Events is [var fault, ..] ? (fault.Id, string.Create(CultureInfo.InvariantCulture,
                $"{fault.Type} open since {fault.StartUtc:yyyy-MM-dd HH:mm}Z, and a model re-tuned on it would take it for normal; re-tuned once it closes"))
            : ((string Id, string Reason)?)null;
        if (wait is { } w)
        {
            if (_waitedFor != w.Id)
            {
                _waitedFor = w.Id;
                ModelLog.NotRetuned(_logger, w.Reason, current.Id);
            }
            return null;
        }
        var bundle = current.Bundle;
        _lastBundle = bundle.ModelId;
        _lastLocalDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, _site.TimeZone).Date);
        var from = now - TimeSpan.FromDays(_options.RetuneDays);
        // one read of the history: the fine-tuning learns from every daylight interval, the check compares above the validator's elevation
        var intervals = _validator.Intervals(from, now, minSunElevationDeg: 0);
        var outcome = SiteRetuner.Retune(bundle, intervals, from, now, new AdaptationOptions(RecentDays: AdaptationOptions.NightlyRecentDays, EdgeCheckHours: AdaptationOptions.NightlyEdgeCheckHours,
            LocalCorrection: AdaptationOptions.NightlyCorrection, Ceiling: AdaptationOptions.NightlyCeiling), cancellationToken,
            current.ExportLimitW());
        if (outcome.Model is null)
        {
            ModelLog.NotRetuned(_logger, outcome.Reason, current.Id);
            return null;
        }
        if (outcome.AcLimit is { } limit && !outcome.AcLimitKept)
        {
            ModelLog.AcLimitSeen(_logger, limit.Describe(current.AcRatingW), (limit.LimitW / 1000).ToString("F3", CultureInfo.InvariantCulture));
        }
        var candidate = BundlePowerModel.Retuned(bundle, outcome.Model,
            string.Create(CultureInfo.InvariantCulture, $"{bundle.ModelId}+retuned-{now.UtcDateTime:yyyyMMdd'T'HHmm'Z'}"), outcome.AcLimit);
        var check = intervals.Where(i => i.WeatherKnown && i.SunElevationDeg >= ModelValidator.MinSunElevationDeg).ToList();
        var (bad, checkedOutputs, refusal) = _validator.CheckOutputs(candidate, now, 1, check);
        var c = ModelValidator.Compare(candidate, current, check) with { BadOutputs = bad, Checked = checkedOutputs };
        var figures = c.CandidateMaeW is { } mae
            ? string.Create(CultureInfo.InvariantCulture, $"MAE {mae:F0} W against {c.ReferenceMaeW:F0} W for {current.Id} over {c.Intervals} intervals")
            : "no interval to compare";
        if (refusal is null && ModelValidator.ClearlyWorse(c, 1.0, current.AcRatingW))
        {
            refusal = $"worse than the model in use: {figures}";
        }
        if (refusal is not null)
        {
            candidate.Dispose();
            var refused = new ModelEvent("retune_refused", now, bundle.ModelId, candidate.Id, refusal, c);
            _slot.SetStatus(_slot.Status with { LastEvent = refused });
            ModelLog.NotRetuned(_logger, refusal, current.Id);
            Publish();
            return refused;
        }
        var done = new ModelEvent("retuned", now, bundle.ModelId, candidate.Id, $"{outcome.Reason}; {figures}", c);
        if (!_slot.SwapIfCurrent(current, candidate, null, _slot.Status with { LastEvent = done }, _wall.GetUtcNow()))
        {
            // a new bundle came in meanwhile: it goes first, and is re-tuned in its turn
            candidate.Dispose();
            return null;
        }
        ModelLog.Retuned(_logger, _options.RetuneDays, candidate.Id, current.Id, outcome.Reason, figures);
        Publish();
        _channels.ForecastRequests.Writer.TryWrite("model re-tuned");
        return done;
    }

    private void Publish() => _queue.PublishRetained(_topics.Model, ModelTopic.Payload(_topics.Gateway, _time.GetUtcNow(), _slot));
}
