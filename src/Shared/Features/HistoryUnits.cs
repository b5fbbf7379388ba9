using System.Globalization;
using PvEdge.Shared.Cli;
using PvEdge.Shared.Sites;

namespace PvEdge.Shared.Features;

/// <summary>Checks that a history's power and irradiance columns are in the format's units (W, W/m²) for the site they are used
/// with: AC in kW (a 4 kW inverter "reaching 4.6") fine-tuned silently into a model with a negative gain that evaluate then scored
/// at 0.04 % nRMSE, and AC in mW into 43,500 %. Judged on the 99th percentile of the daylight rows: AC against what PVWatts makes
/// of the history's own weather (so that an overcast week is not taken for kW) and against the inverter's rating, irradiance
/// against the clear-sky GHI of the same instants.</summary>
public static class HistoryUnits
{
    /// <summary>The daylight AC's 99th percentile must be at least this fraction of PVWatts' over the history's weather (nameplate,
    /// no shade; over clear sky when the history has no irradiance) and at most this multiple of the inverter's rating, which an
    /// inverter does not exceed.</summary>
    public const double MinimumAcOfExpected = 0.02;

    public const double MaximumAcOfRating = 1.5;

    /// <summary>... and the daylight DC's at most this multiple of the DC capacity (cold, bright modules give 1.2 at most).</summary>
    public const double MaximumDcOfCapacity = 1.5;

    /// <summary>The daylight GHI's (POA's) 99th percentile must lie between these fractions of the clear-sky GHI's (the first plane's POA's; a week of
    /// thick overcast reaches more than 0.05; kW/m² gives 0.001, J/m² per hour 3600).</summary>
    public const double MinimumOfClearSky = 0.05;

    public const double MaximumOfClearSky = 2.5;

    /// <summary>Highest plausible 99th percentiles of the daylight air and module temperature (°C; the hottest air measured is
    /// 56.7 °C) and of the wind speed (m/s; a hurricane's): above them the column is in °F or K, or km/h.</summary>
    public const double MaximumAirC = 60;

    public const double MaximumModuleC = 110;

    public const double MaximumWindMs = 40;

    /// <summary>Throws <see cref="InputException"/> naming the column, what it reached and against what, when a column is off by a
    /// unit's factor (kW for W, kW/m² or Wh per interval for W/m², °F or K for °C, km/h for m/s) or the site file describes another
    /// system.</summary>
    public static void Check(Site site, History history) => Check(new ClearSkyReference(site, history));

    /// <inheritdoc cref="Check(Site, History)"/>
    public static void Check(ClearSkyReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var (site, history) = (reference.Site, reference.History);
        var clear = new double[history.Rows];
        var clearPoa = new double[history.Rows];
        var clearAc = new double[history.Rows];
        var daylight = new List<int>();
        for (var i = 0; i < history.Rows; i++)
        {
            (clear[i], clearPoa[i], clearAc[i]) = reference.AtRow(i);
            if (clear[i] > 100)
            {
                daylight.Add(i);
            }
        }
        if (daylight.Count < 8)
        {
            return;
        }
        var rating = site.Inverter.AcCapacityW;
        var nameplate = reference.Nameplate;
        var (expectedAc, from) = nameplate is null ? (clearAc, "a clear sky") : (nameplate.AcW, nameplate.From);
        var eta = site.Inverter.EtaNominal;
        CheckPower("ac_power_w", expectedAc, MaximumAcOfRating * rating, Invariant($"{rating:F0} W inverter of the site file"), "inverter.ac_kw");
        if (nameplate is not null)
        {
            CheckPower("dc_power_w", [.. nameplate.UncappedAcW.Select(w => w / eta)], MaximumDcOfCapacity * site.DcCapacityW,
                Invariant($"{site.DcCapacityW:F0} Wp of the site file"), "planes[].dc_kwp");
        }

        // a power column against PVWatts' over the history's weather (kW for W) and against what the hardware can give (mW)
        void CheckPower(string column, double[] expected, double maximumW, string hardware, string key)
        {
            if (history.Column(column) is not { } values || Percentile99(values, daylight) is not { } high)
            {
                return;
            }
            var expectedHigh = Percentile99(expected, daylight) ?? 0;
            if (high < 0 && -Percentile(values, daylight, 0.01) > MinimumAcOfExpected * expectedHigh)
            {
                throw new InputException(Invariant($"{history.Source}: {column} is negative in daylight (99th percentile {high:G3} W) where PVWatts makes up to {expectedHigh:F0} W: is its sign inverted (a meter counting export as negative)? (the format wants production positive)"));
            }
            if (high < MinimumAcOfExpected * expectedHigh)
            {
                throw new InputException(Invariant($"{history.Source}: {column} reaches only {high:G3} W in daylight (99th percentile) where PVWatts makes {expectedHigh:F0} W of {from} for the site file's {site.DcCapacityW:F0} Wp: is it in kW? (the format wants W) Or was the system off all along?"));
            }
            if (high > maximumW)
            {
                throw new InputException(Invariant($"{history.Source}: {column} reaches {high:G4} W in daylight (99th percentile), far above the {hardware}: is it in mW, or is the site file ({key}) for another system?"));
            }
        }
        foreach (var (column, limit, unit, others) in new[]
        {
            ("temp_air_c", MaximumAirC, "°C", "°F or K"), ("temp_module_c", MaximumModuleC, "°C", "°F or K"), ("wind_speed_ms", MaximumWindMs, "m/s", "km/h"),
        })
        {
            if (history.Column(column) is { } values && Percentile99(values, daylight) is { } high && high > limit)
            {
                throw new InputException(Invariant($"{history.Source}: {column} reaches {high:G3} in daylight (99th percentile), above the {limit:F0} {unit} no site sees: is it in {others}? (the format wants {unit})"));
            }
        }
        foreach (var (column, clearSky) in new[] { ("ghi_wm2", clear), ("poa_wm2", clearPoa) })
        {
            var clearHigh = Percentile99(clearSky, daylight)!.Value;
            if (history.Column(column) is { } values && Percentile99(values, daylight) is { } high
                && (high < MinimumOfClearSky * clearHigh || high > MaximumOfClearSky * clearHigh))
            {
                throw new InputException(Invariant($"{history.Source}: {column} reaches {high:G3} in daylight (99th percentile) where a clear sky gives {clearHigh:F0} W/m²: is it in other units (kW/m², Wh/m² per interval)? (the format wants W/m²)"));
            }
        }
    }

    private static double? Percentile99(double[] values, List<int> rows) => Percentile(values, rows, 0.99);

    // the q-quantile of the rows' finite values (null with fewer than 8)
    private static double? Percentile(double[] values, List<int> rows, double q)
    {
        var finite = rows.Select(i => values[i]).Where(double.IsFinite).Order().ToArray();
        return finite.Length < 8 ? null : finite[(int)(q * (finite.Length - 1))];
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
