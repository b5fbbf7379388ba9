using PvEdge.Shared.Sites;

namespace PvEdge.Shared.Features;

/// <summary>An AC ceiling a history shows below the site file's inverter rating.</summary>
/// <param name="LimitW">the level the AC stays at</param>
/// <param name="RowsAtLimit">daylight rows within <see cref="AcLimit.Band"/> of it</param>
/// <param name="RowsAbove">daylight rows where PVWatts over the history's weather makes more than <see cref="AcLimit.Above"/> times it</param>
/// <param name="RowsAboveAtLimit">of those, the rows at the limit</param>
public sealed record AcLimitFinding(double LimitW, int RowsAtLimit, int RowsAbove, int RowsAboveAtLimit)
{
    /// <summary>What was found, against the site file's inverter rating (one sentence for the user).</summary>
    public string Describe(double ratingW) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"ac_power_w stays at {LimitW:F0} W (±{AcLimit.Band:P1}) on {RowsAtLimit} daylight rows, and on {RowsAboveAtLimit} of the {RowsAbove} where the weather would give more: ") +
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"an export limit or a derated inverter under the site file's {ratingW:F0} W?");

    /// <summary>The site with the limit as its inverter's AC rating: what a model fine-tuned on the capped history is trained and run with.</summary>
    public Site Apply(Site site)
    {
        ArgumentNullException.ThrowIfNull(site);
        return site with { Inverter = site.Inverter with { AcKw = LimitW / 1000 } };
    }
}

/// <summary>Finds an export limit (the 70 % rule, a zero-export or grid operator's cap, a derated inverter) or a site file whose
/// inverter rating is too high: the measured AC sits flat at one level below the rating whenever the weather would give more.
/// The chain clips AC only at the rating it is given; with a 9 kW inverter capped at 6 kW a 28-day fine-tuning reached 1.33 %
/// daylight nRMSE, and 0.18 % given 6 kW. On 2,400 uncapped 14- and 28-day windows of 100 simulated sites it found no cap; capped
/// at 70 % of the rating, it found 590 of the 668 fourteen-day windows where the cap held 4 hours or more (<c>bench/HistoryChecks</c>).</summary>
public static class AcLimit
{
    /// <summary>Relative band around the level that counts as at it.</summary>
    public const double Band = 0.015;

    /// <summary>PVWatts' AC over the level by this factor marks a row where a cap would show.</summary>
    public const double Above = 1.1;

    /// <summary>The level must be under this fraction of the rating (an inverter clips at its own rating).</summary>
    public const double BelowRating = 0.92;

    /// <summary>At least this many rows at the level, and this share of the rows where the weather would give more.</summary>
    public const int MinimumRows = 8;

    public const double MinimumShareAbove = 0.5;

    /// <summary>True when a history's AC does not rise above a limit found before (its level within <see cref="Band"/>): no sign the
    /// limit was lifted, as in an overcast fortnight, which shows no cap either.</summary>
    public static bool StaysUnder(History history, double limitW)
    {
        ArgumentNullException.ThrowIfNull(history);
        var positive = history.Column("ac_power_w")?.Where(v => double.IsFinite(v) && v > 0).ToArray() ?? [];
        return positive.Length > 0 && Level(positive) <= limitW * (1 + Band);
    }

    // the level of an AC series: its 99.5th percentile (a cap holds many rows there; a stray spike does not move it)
    private static double Level(IEnumerable<double> acW)
    {
        var sorted = acW.Order().ToArray();
        return sorted[(int)(0.995 * (sorted.Length - 1))];
    }

    /// <summary>The ceiling, or null when the AC shows none below <see cref="BelowRating"/> of the rating.</summary>
    public static AcLimitFinding? Detect(Site site, History history) => Detect(new ClearSkyReference(site, history));

    /// <inheritdoc cref="Detect(Site, History)"/>
    public static AcLimitFinding? Detect(ClearSkyReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var (site, history) = (reference.Site, reference.History);
        var ac = history.Column("ac_power_w");
        if (ac is null || reference.Nameplate is not { } expectation)
        {
            return null;
        }
        // what the site would make without a cap
        var uncapped = expectation.UncappedAcW;
        var state = history.Column("inverter_state");
        var rows = Enumerable.Range(0, history.Rows)
            .Where(i => double.IsFinite(ac[i]) && ac[i] > 0 && double.IsFinite(uncapped[i]) && uncapped[i] > 0 && state?[i] != ChainFeatureSpecification.FaultState)
            .ToArray();
        if (rows.Length < MinimumRows)
        {
            return null;
        }
        var level = Level(rows.Select(i => ac[i]));
        if (level >= BelowRating * site.Inverter.AcCapacityW)
        {
            return null;
        }
        bool At(int i) => Math.Abs(ac[i] - level) <= Band * level;
        var atLimit = rows.Count(At);
        var above = rows.Where(i => uncapped[i] > Above * level).ToArray();
        var aboveAtLimit = above.Count(At);
        return atLimit >= MinimumRows && above.Length >= MinimumRows && aboveAtLimit >= MinimumShareAbove * above.Length
            ? new AcLimitFinding(level, atLimit, above.Length, aboveAtLimit)
            : null;
    }
}
