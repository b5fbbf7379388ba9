using PvEdge.EdgeAgent.Weather;
using PvEdge.Shared.Bundle;
using PvEdge.Shared.Features;
using PvEdge.Shared.Learning.Chain;

namespace PvEdge.EdgeAgent.Models;

/// <summary>What one re-tuning did: the model, or null when none was made; <paramref name="Reason"/> says why not, or what it learnt from.</summary>
public sealed record RetuneOutcome(ChainModel? Model, string Reason)
{
    /// <summary>An AC ceiling under the bundle's rating that the window showed (an export limit the site file does not know), or null; the
    /// model was fine-tuned with it as the AC rating and is run so (<see cref="Inference.BundlePowerModel.Retuned"/>).</summary>
    public AcLimitFinding? AcLimit { get; init; }

    /// <summary>True when <see cref="AcLimit"/> is the one found before, kept because the window's AC stayed under it (an overcast
    /// fortnight shows no cap, nor that it was lifted).</summary>
    public bool AcLimitKept { get; init; }
}

/// <summary>Fine-tunes a bundle's chain again on the site's recent history: from the foundation the bundle carries, with the exporter's
/// own schedule (<see cref="SiteAdaptation.FineTune"/>), on the 15-minute intervals whose weather is known (measured, or the forecast the
/// agent held when it recorded them). The held-out fleet study measures the same scheme (<c>modelexport study --rolling 1</c>: a model
/// fine-tuned on the 14 days before each day predicts that day).</summary>
public static class SiteRetuner
{
    /// <summary>Days of daylight history with measured AC and known weather needed (as <c>modelexport finetune</c>).</summary>
    public const int MinimumDays = 2;

    /// <param name="previousAcLimitW">the export limit the model in use was re-tuned with, or null: kept when the window shows none
    /// and its AC stays under it</param>
    public static RetuneOutcome Retune(LoadedBundle bundle, IReadOnlyList<HistoryInterval> intervals, DateTimeOffset fromUtc, DateTimeOffset toUtc,
        AdaptationOptions options, CancellationToken cancellationToken = default, double? previousAcLimitW = null)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        ArgumentNullException.ThrowIfNull(intervals);
        if (Unsupported(bundle) is { } why)
        {
            return new RetuneOutcome(null, $"{why}: not re-tuned");
        }
        var history = HistoryOf(intervals, fromUtc, toUtc);
        // an export limit the window shows is learnt as the inverter's rating (as modelexport finetune does): fitted under the site
        // file's rating, the chain would bend its shading and module factors to explain every flat sunny midday
        var limit = Shared.Features.AcLimit.Detect(bundle.Site, history);
        var kept = limit is null && previousAcLimitW is { } previous && Shared.Features.AcLimit.StaysUnder(history, previous);
        if (kept)
        {
            limit = new AcLimitFinding(previousAcLimitW!.Value, 0, 0, 0);
        }
        var features = ChainFeatureSpecification.Build(limit?.Apply(bundle.Site) ?? bundle.Site, history);
        var days = ChainFeatureSpecification.DaylightDays(features, bundle.Site.LongitudeDeg);
        if (days < MinimumDays)
        {
            return new RetuneOutcome(null,
                $"{days} day(s) of daylight history with measured AC and known weather in the last {(toUtc - fromUtc).TotalDays:F0}; at least {MinimumDays} are needed");
        }
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var (model, summary) = SiteAdaptation.FineTune(bundle.CreateFoundationModel()!, features, options, null, cancellationToken);
        var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
        var corrected = model.Correction is { } correction ? $", shading corrected locally from {correction.Points} of them" : "";
        var capped = limit is null ? ""
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $", held at the AC limit of {limit.LimitW:F0} W ")
              + (kept ? "found before (the window's AC stays under it)" : "the history shows under the rating (an export limit?)");
        return new RetuneOutcome(model, string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"fine-tuned from the bundle's foundation on {summary.Rows} daylight rows ({days} days) in {seconds:F1} s, loss {summary.FinalLoss:G3}{corrected}{capped}"))
        {
            AcLimit = limit,
            AcLimitKept = kept,
        };
    }

    /// <summary>Why a bundle cannot be fine-tuned again on the gateway, or null when it can.</summary>
    public static string? Unsupported(LoadedBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        return bundle.Manifest.Chain.PoaInput ? "the bundle's model takes the measured POA (N1 bypassed)"
            : !bundle.HasFoundation ? "the bundle carries no foundation (exported before modelexport packed it)"
            : null;
    }

    /// <summary>The intervals with known weather on the regular 15-minute grid [from, to); every other row is missing (masked in training).</summary>
    public static History HistoryOf(IReadOnlyList<HistoryInterval> intervals, DateTimeOffset fromUtc, DateTimeOffset toUtc)
    {
        ArgumentNullException.ThrowIfNull(intervals);
        var step = RecordedWeather.Step;
        var n = Math.Max(0, (int)((toUtc - fromUtc) / step));
        var times = new DateTimeOffset[n];
        for (var k = 0; k < n; k++)
        {
            times[k] = fromUtc + (step * k);
        }
        string[] names = ["ac_power_w", "ghi_wm2", "dni_wm2", "dhi_wm2", "temp_air_c", "wind_speed_ms"];
        var columns = names.ToDictionary(c => c, _ => Enumerable.Repeat(double.NaN, n).ToArray(), StringComparer.Ordinal);
        foreach (var i in intervals)
        {
            var k = (int)Math.Floor((i.StartUtc - fromUtc) / step);
            if (!i.WeatherKnown || k < 0 || k >= n || i.StartUtc != times[k])
            {
                continue;
            }
            columns["ac_power_w"][k] = i.MeasuredAcW;
            columns["ghi_wm2"][k] = i.Weather.GhiWm2;
            columns["dni_wm2"][k] = i.Weather.DniWm2;
            columns["dhi_wm2"][k] = i.Weather.DhiWm2;
            columns["temp_air_c"][k] = i.Weather.TempAirC;
            columns["wind_speed_ms"][k] = i.Weather.WindSpeedMs;
        }
        return new History(times, columns, "agent history");
    }
}
