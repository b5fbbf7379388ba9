using PvEdge.Shared.Sites;

namespace PvEdge.Shared.Features;

/// <summary>A history column whose clear days fit the sun best at another time than its stamps say.</summary>
/// <param name="Column">the history column</param>
/// <param name="LateMinutes">how far the stamps lie after the instants the values belong to (negative: before)</param>
/// <param name="Days">clear days that agree on it</param>
/// <param name="ClearDays">clear days the column had (for a finding against the weather columns: 0)</param>
/// <param name="Correlation">against the weather columns: how much better the shifted series follow each other (0 against the sun)</param>
public sealed record TimingFinding(string Column, double LateMinutes, int Days, int ClearDays, double Correlation = 0)
{
    /// <summary>Against the sun: the agreeing days' mean fit error at the shift (RMS over the day's peak; 0 against the weather).</summary>
    public double FitError { get; init; }

    /// <summary>One line for the user: what was found and the likely cause.</summary>
    public string Describe(string source, TimeSpan step)
    {
        // a plane's clear days place it within about 15 minutes (see HistoryTiming.MinimumLateMinutesOnPlane), GHI's within 5
        var tolerance = ClearDays > 0 && Column != "ghi_wm2" ? 15 : HistoryTiming.LagStepMinutes;
        bool Near(double a, double b) => Math.Abs(a - b) <= tolerance;
        var minutes = Math.Abs(LateMinutes);
        var cause = Near(LateMinutes, step.TotalMinutes) ? "interval ends written as starts? (import-history --time-is-end)"
            : Near(LateMinutes, step.TotalMinutes / 2) ? "readings stamped at their instant? (the format wants interval averages stamped at their start)"
            : Near(minutes % 60, 0) || Near(minutes % 60, 60) ? "a wrong UTC offset or daylight saving time?"
            : "a logger clock adrift?";
        var shift = FormattableString.Invariant($"{minutes:F0} min {(LateMinutes > 0 ? "earlier" : "later")}");
        return ClearDays == 0
            ? FormattableString.Invariant($"warning: {source}: {Column} follows the weather columns as if its times were {shift} (the changes from one interval to the next ") +
              FormattableString.Invariant($"correlate {Correlation:F2} better so): were they merged from sources with different time conventions? Used with the times as they are.")
            : $"warning: {source}: {Column} follows the sun as if its times were {shift} (on {Days} of its {ClearDays} clear days): {cause} " +
              "Used with the times as they are.";
    }
}

/// <summary>Checks that a history's irradiance and power columns keep time with the sun and with each other. Against the sun: on
/// the clear days of a column, the column is fitted (with a scale per day) to its clear-sky counterpart computed at its stamps'
/// midpoints shifted by −120 … +120 minutes; when most clear days agree on a shift of at least <see cref="MinimumLateMinutes"/>
/// (GHI) or <see cref="MinimumLateMinutesOnPlane"/> (POA, AC), and 0.4 of the step, the column's stamps are off. Shade cannot
/// pass for a shift there: a day the clear-sky model does not fit closely is not counted. AC that this does not find off (a
/// shaded site has few such days) is then compared with the weather columns: the interval-to-interval changes the clouds make
/// in both, at shifts of whole steps. Causes: interval ends written where the format wants interval starts, a local time with
/// the wrong offset, weather merged from a source with another convention. A misalignment of one hour between the weather and
/// the AC turned a 28-day fine-tuning of a simulated site (hourly, GHI only) from 0.59 % into 6.4 % daylight nRMSE.
/// On the 100 held-out sites of <c>fleet --sites 100 --seed 2</c> (from 1 January): with correct stamps, a warning on 1 site
/// with 14 days of 15-minute rows and on none with 28 or 90 days, nor hourly; AC one 15-minute step late found on 95 / 99 / 99
/// sites with 14 / 28 / 90 days, an hour late or early on 92–100; hourly AC an hour late or early on 41–47 / 80–81 / 100
/// (hourly histories have few interval-to-interval changes); weather one step late on 100 / 100 / 100 (15-minute) and 84 / 99 /
/// 100 (hourly). <c>bench/HistoryChecks/run.sh</c> measures these (<c>bench/results/history-checks.txt</c>).</summary>
public static class HistoryTiming
{
    public const int MaxLagMinutes = 120;

    public const int LagStepMinutes = 5;

    /// <summary>Smallest misalignment reported (minutes; also at least 0.4 of the history's step) for GHI, whose clear days follow the
    /// clear-sky model closely: on 100 simulated sites with correct stamps none was off by 15 minutes, and a shift of 15 was found
    /// on 97 of them.</summary>
    public const double MinimumLateMinutes = 15;

    /// <summary>The same for plane-of-array irradiance and AC, whose clear days are skewed by the plane's orientation against the
    /// model's fixed turbidity, by the afternoon's heat and by clipping: on the same sites with correct stamps they seemed off by
    /// 15–25 minutes on a fifth of them (earlier on planes facing east, later facing west).</summary>
    public const double MinimumLateMinutesOnPlane = 40;

    /// <summary>A day counts as clear for a column when its best fit's RMS error is under this fraction of the day's clear-sky peak.</summary>
    public const double ClearDayError = 0.05;

    /// <summary>Clear days that must agree (within one lag step) on a shift before anything is said, and the share of the clear days
    /// they must be (two of three clear days put a POA sensor 95 minutes off on one correct site).</summary>
    public const int MinimumDays = 3;

    public const double AgreeingShare = 0.6;

    /// <summary>The columns among <c>ghi_wm2</c>, <c>poa_wm2</c> and <c>ac_power_w</c> whose clear days put them off the sun, and
    /// <c>ac_power_w</c> when, not found so, its changes follow the weather columns' at a shift.</summary>
    public static IReadOnlyList<TimingFinding> Check(Site site, History history) => Check(new ClearSkyReference(site, history));

    /// <inheritdoc cref="Check(Site, History)"/>
    public static IReadOnlyList<TimingFinding> Check(ClearSkyReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var (site, history, half) = (reference.Site, reference.History, reference.Half);
        if (history.Rows < 4)
        {
            return [];
        }
        var days = DaylightDays(history, half, site.LongitudeDeg, i => reference.AtRow(i).GhiWm2);
        var acUsable = UnclippedAc(site, history);
        var findings = new List<TimingFinding>();
        foreach (var (column, pick, minimum) in new (string, Func<(double GhiWm2, double PoaWm2, double AcW), double>, double)[]
            { ("ghi_wm2", r => r.GhiWm2, MinimumLateMinutes), ("poa_wm2", r => r.PoaWm2, MinimumLateMinutesOnPlane), ("ac_power_w", r => r.AcW, MinimumLateMinutesOnPlane) })
        {
            var values = history.Column(column);
            if (values is null)
            {
                continue;
            }
            var ac = column == "ac_power_w";
            bool Usable(int i) => ac ? acUsable(i) : double.IsFinite(values[i]);
            var lags = new List<(int Lag, double Error)>();
            foreach (var day in days)
            {
                var rows = day.Where(Usable).ToArray();
                if (BestLag(rows, i => values[i], (i, lag) => pick(reference.At(history.Times[i] + half + TimeSpan.FromMinutes(lag)))) is { } best)
                {
                    lags.Add(best);
                }
            }
            if (lags.Count < MinimumDays)
            {
                continue;
            }
            lags.Sort();
            var median = lags[lags.Count / 2].Lag;
            var agreeing = lags.Where(l => Math.Abs(l.Lag - median) <= LagStepMinutes).ToArray();
            if (Math.Abs(median) >= Math.Max(minimum, 0.4 * history.Step.TotalMinutes) && agreeing.Length >= Math.Max(MinimumDays, AgreeingShare * lags.Count))
            {
                // values fit the sun at (stamp + lag): the stamps lie −lag after the instants the values belong to
                findings.Add(new TimingFinding(column, -median, agreeing.Length, lags.Count) { FitError = agreeing.Average(l => l.Error) });
            }
        }
        // AC that the sun did not find off (a shaded site has few days that fit the clear-sky model, and a plane's clear days
        // judge only shifts of 40 minutes or more) is judged against the weather columns
        if (!findings.Any(f => f.Column == "ac_power_w") && AgainstWeather(reference, days, acUsable) is { } relative)
        {
            findings.Add(relative);
        }
        return findings;
    }

    /// <summary>Shifts of whole steps, up to this many hours, at which AC is compared with the weather columns.</summary>
    public const double MaxWeatherLagHours = 3;

    /// <summary>How much better (in correlation) a shifted AC must follow the weather columns than the stamped one, how well at
    /// least, and over how many interval-to-interval changes: on one day of the Sandia baseline system (28 changes) the weather
    /// station's and the array's changes did not correlate at any shift (1-minute data: −0.07…0.10), and a shift of two steps
    /// fitted 0.28 better by chance.</summary>
    public const double WeatherLagGain = 0.1;

    public const double WeatherLagCorrelation = 0.3;

    public const int MinimumChanges = 100;

    // AC against PVWatts over the history's own weather: the interval-to-interval changes (clouds passing) of the two, correlated at
    // shifts of whole steps. Shade does not move with the clouds, so shaded sites, whose clear days the check against the sun
    // cannot use, are judged here.
    private static TimingFinding? AgainstWeather(ClearSkyReference reference, List<int[]> days, Func<int, bool> acUsable)
    {
        var (site, history) = (reference.Site, reference.History);
        var ac = history.Column("ac_power_w");
        if (ac is null || reference.Nameplate is not { } nameplate)
        {
            return null;
        }
        var expected = nameplate.AcW;
        var step = history.Step;
        // both as clear-sky indices (over the clear-sky AC at the stamps), so that a clear day's rise and fall, which any small
        // shift fits nearly as well, does not count: only the changes the clouds make
        var (measured, weather) = (new double[history.Rows], new double[history.Rows]);
        var usable = new bool[history.Rows];
        foreach (var i in days.SelectMany(d => d))
        {
            var clear = reference.AtRow(i).AcW;
            measured[i] = ac[i] / clear;
            weather[i] = expected[i] / clear;
            usable[i] = clear > 0.1 * site.Inverter.AcCapacityW && acUsable(i) && double.IsFinite(expected[i]);
        }
        bool Change(int i) => i > 0 && i < history.Rows && usable[i] && usable[i - 1] && history.Times[i] - history.Times[i - 1] == step;
        double[] Changes(double[] series) => CloudChanges(history.Times, step, series, Change);
        var (dMeasured, dWeather) = (Changes(measured), Changes(weather));
        var maxLag = Math.Max(1, (int)(MaxWeatherLagHours * 60 / step.TotalMinutes));
        double Correlation(int lag)
        {
            double n = 0, sa = 0, se = 0, saa = 0, see = 0, sae = 0;
            for (var i = 1; i < history.Rows; i++)
            {
                var j = i + lag;
                if (j < 0 || j >= history.Rows || !double.IsFinite(dWeather[i]) || !double.IsFinite(dMeasured[j]))
                {
                    continue;
                }
                var (a, e) = (dMeasured[j], dWeather[i]);
                (n, sa, se, saa, see, sae) = (n + 1, sa + a, se + e, saa + (a * a), see + (e * e), sae + (a * e));
            }
            var cov = sae - (sa * se / n);
            var va = saa - (sa * sa / n);
            var ve = see - (se * se / n);
            return n >= MinimumChanges && va > 0 && ve > 0 ? cov / Math.Sqrt(va * ve) : double.NaN;
        }
        var atZero = Correlation(0);
        if (!double.IsFinite(atZero))
        {
            return null;
        }
        var (best, bestLag) = (atZero, 0);
        for (var lag = -maxLag; lag <= maxLag; lag++)
        {
            var c = Correlation(lag);
            if (c > best)
            {
                (best, bestLag) = (c, lag);
            }
        }
        // AC at row i + lag goes with the weather at row i: its stamps lie lag steps after the weather's
        return bestLag != 0 && best >= WeatherLagCorrelation && best - atZero >= WeatherLagGain ? new TimingFinding("ac_power_w", bestLag * step.TotalMinutes, 0, 0, best - atZero) : null;
    }

    /// <summary>Each row's change from the row before (where <paramref name="change"/> allows it; NaN elsewhere) less the median change
    /// at the same time of day (UTC, slots of <paramref name="step"/>) over the whole history: what recurs every day (an obstacle's
    /// edge, the clear-sky model's daily bias) is not a cloud, and left in it matched the other series at a shift of hours.</summary>
    internal static double[] CloudChanges(IReadOnlyList<DateTimeOffset> times, TimeSpan step, double[] series, Func<int, bool> change)
    {
        var changes = new double[series.Length];
        var slots = new Dictionary<long, List<double>>();
        long Slot(int i) => times[i].UtcTicks % TimeSpan.TicksPerDay / step.Ticks;
        for (var i = 0; i < series.Length; i++)
        {
            changes[i] = change(i) ? series[i] - series[i - 1] : double.NaN;
            if (double.IsFinite(changes[i]))
            {
                (slots.TryGetValue(Slot(i), out var list) ? list : slots[Slot(i)] = []).Add(changes[i]);
            }
        }
        var median = slots.ToDictionary(kv => kv.Key, kv => kv.Value.Order().ElementAt(kv.Value.Count / 2));
        for (var i = 0; i < series.Length; i++)
        {
            changes[i] -= double.IsFinite(changes[i]) ? median[Slot(i)] : 0;
        }
        return changes;
    }

    /// <summary>The AC rows that show the weather's shape: measured, under 97 % of the inverter's rating (not clipped), not in FAULT.</summary>
    internal static Func<int, bool> UnclippedAc(Site site, History history)
    {
        var ac = history.Column("ac_power_w");
        var state = history.Column("inverter_state");
        var limit = 0.97 * site.Inverter.AcCapacityW;
        return i => ac is not null && double.IsFinite(ac[i]) && ac[i] < limit && state?[i] != ChainFeatureSpecification.FaultState;
    }

    /// <summary>The rows of each local solar day whose clear-sky GHI (<paramref name="clearGhi"/> of a row) exceeds 20 W/m², for
    /// days with at least four.</summary>
    internal static List<int[]> DaylightDays(History history, TimeSpan half, double longitudeDeg, Func<int, double> clearGhi)
    {
        var days = new List<int[]>();
        var current = new List<int>();
        long currentDay = long.MinValue;
        for (var i = 0; i < history.Rows; i++)
        {
            var mid = history.Times[i] + half;
            var day = (long)Math.Floor((mid.ToUnixTimeSeconds() + (longitudeDeg / 15 * 3600)) / 86400.0);
            if (day != currentDay)
            {
                Flush();
                currentDay = day;
            }
            if (clearGhi(i) > 20)
            {
                current.Add(i);
            }
        }
        Flush();
        return days;

        void Flush()
        {
            if (current.Count >= 4)
            {
                days.Add([.. current]);
            }
            current.Clear();
        }
    }

    /// <summary>How closely one day's values follow k × reference at the best k: the RMS error over the fitted peak; infinite when
    /// the day has fewer than four rows or does not hold rows on both sides of the reference's peak.</summary>
    internal static double FitError(int[] rows, Func<int, double> value, Func<int, double> reference)
    {
        if (rows.Length < 4)
        {
            return double.PositiveInfinity;
        }
        double xr = 0, rr = 0, xx = 0, peak = 0;
        var peakAt = 0;
        for (var j = 0; j < rows.Length; j++)
        {
            var (x, r) = (value(rows[j]), reference(rows[j]));
            (xr, rr, xx) = (xr + (x * r), rr + (r * r), xx + (x * x));
            if (r > peak)
            {
                (peak, peakAt) = (r, j);
            }
        }
        if (rr <= 0 || peak <= 0 || peakAt < 2 || peakAt > rows.Length - 3)
        {
            return double.PositiveInfinity;
        }
        var k = xr / rr;
        return k > 0 ? Math.Sqrt(Math.Max(0, xx - (k * xr)) / rows.Length) / (k * peak) : double.PositiveInfinity;
    }

    // the shift (minutes) at which one day's values fit k × reference best, and that fit's error, when it is close (a clear day)
    private static (int Lag, double Error)? BestLag(int[] rows, Func<int, double> value, Func<int, int, double> reference)
    {
        var (bestError, bestLag) = (double.PositiveInfinity, 0);
        for (var lag = -MaxLagMinutes; lag <= MaxLagMinutes; lag += LagStepMinutes)
        {
            var error = FitError(rows, value, i => reference(i, lag));
            if (error < bestError)
            {
                (bestError, bestLag) = (error, lag);
            }
        }
        return bestError < ClearDayError ? (bestLag, bestError) : null;
    }
}
