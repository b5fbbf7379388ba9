using PvEdge.Shared.Learning;
using PvEdge.Shared.Learning.Chain;
using PvEdge.Shared.Physics;
using PvEdge.Shared.Sites;
using PvEdge.Shared.Weather;

namespace PvEdge.Shared.Features;

/// <summary>One input feature of the chain: its name, unit, what it is computed from, and its normalisation
/// (normalised = (raw − Offset) / Scale).</summary>
public sealed record FeatureColumn(string Name, string Unit, string Source, double Offset, double Scale);

/// <summary>A batch of chain inputs built from a site and its weather (and optionally its measured history).</summary>
/// <param name="X">normalised features, rows × <see cref="ChainColumns.Count"/></param>
/// <param name="Y">labels, rows × <see cref="ChainColumns.LabelCount"/> (AC per kW AC, DC per kWp, POA kW/m²; NaN = not measured)</param>
/// <param name="Times">interval start of each row</param>
/// <param name="SunAzimuthDeg">sun azimuth at the interval midpoint</param>
/// <param name="SunElevationDeg">apparent sun elevation at the interval midpoint</param>
/// <param name="AcRatingW">AC rating (denormalises AC)</param>
/// <param name="DcCapacityW">DC capacity (denormalises DC; nRMSE denominator)</param>
public sealed record ChainFeatureSet(Tensor X, Tensor Y, DateTimeOffset[] Times, double[] SunAzimuthDeg, double[] SunElevationDeg,
    double AcRatingW, double DcCapacityW)
{
    public int Rows => X.Rows;

    /// <summary>The weather the features were computed from (row i ↔ weather[i]).</summary>
    public WeatherSeries? Weather { get; init; }

    public bool IsDaylight(int row) => SunElevationDeg[row] > 0;

    /// <summary>True when N1 is bypassed: the measured plane-of-array irradiance is the chain's POA (in the ground column,
    /// beam and sky 0), as for a site with a pyranometer in the plane of the array.</summary>
    public bool PoaInput { get; init; }
}

/// <summary>The one place that turns site + time + weather into the chain's input features (exporter and agent both call it).
/// Sun position, transposition and IAM come from the physics core (<see cref="PvSystemModel"/>) with the far horizon
/// removed: the chain's learned shading field accounts for every beam obstruction. Several planes are combined weighted by
/// their share of the DC capacity.</summary>
public static class ChainFeatureSpecification
{
    public const int Version = 1;

    /// <summary>SunSpec inverter operating state FAULT: rows in this state carry no AC/DC label.</summary>
    public const double FaultState = 7;

    /// <summary>Inputs, in <see cref="ChainColumns"/> order.</summary>
    public static IReadOnlyList<FeatureColumn> Columns { get; } =
    [
        new("sin_sun_azimuth", "1", "SPA azimuth at the interval midpoint", 0, 1),
        new("cos_sun_azimuth", "1", "SPA azimuth at the interval midpoint", 0, 1),
        new("sun_elevation", "deg", "SPA apparent elevation", 0, 90),
        new("poa_beam_effective", "W/m2", "unshaded beam on the plane × IAM, DC-weighted over planes", 0, 1000),
        new("poa_sky_diffuse", "W/m2", "sky diffuse on the plane (site transposition model)", 0, 1000),
        new("poa_ground_diffuse", "W/m2", "ground-reflected irradiance on the plane", 0, 1000),
        new("temp_air", "C", "air temperature (20 °C when missing)", 20, 20),
        new("wind_speed", "m/s", "wind speed (1 m/s when missing)", 0, 10),
        new("dc_ac_ratio", "1", "site DC kWp / inverter AC kW", 0, 1),
        new("site_index", "1", "row of the site in the model's site table (0 for a fine-tuned bundle)", 0, 1),
    ];

    /// <summary>Labels, in <see cref="ChainColumns"/> label order.</summary>
    public static IReadOnlyList<FeatureColumn> Labels { get; } =
    [
        new("ac_power", "W", "ac_power_w / AC rating", 0, 1),
        new("dc_power", "W", "dc_power_w / DC capacity", 0, 1),
        new("poa", "W/m2", "poa_wm2", 0, 1000),
    ];

    /// <summary>The site with every far horizon removed (features carry unshaded beam).</summary>
    public static Site Unshaded(Site site)
    {
        ArgumentNullException.ThrowIfNull(site);
        return site with { Planes = [.. site.Planes.Select(p => p with { Horizon = HorizonProfile.Flat })] };
    }

    /// <summary>Weather columns of a history as a physics weather series (midpoints = start + step/2; missing DNI/DHI are
    /// left NaN so the physics core fills them by Erbs decomposition).</summary>
    public static WeatherSeries WeatherOf(History history, Site site, bool requireGhi = true)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(site);
        var ghi = history.Column("ghi_wm2")
            ?? (requireGhi ? throw new Cli.InputException($"{history.Source}: no 'ghi_wm2' column (the weather is needed to build features)") : Enumerable.Repeat(double.NaN, history.Rows).ToArray());
        var dni = history.Column("dni_wm2");
        var dhi = history.Column("dhi_wm2");
        var temp = history.Column("temp_air_c");
        var wind = history.Column("wind_speed_ms");
        var half = history.Step / 2;
        var rows = new WeatherSample[history.Rows];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = new WeatherSample(history.Times[i] + half, ghi[i], dni?[i] ?? double.NaN, dhi?[i] ?? double.NaN,
                temp?[i] ?? double.NaN, wind?[i] ?? double.NaN);
        }
        var offset = history.Rows > 0 ? history.Times[0].Offset : TimeSpan.Zero;
        return new WeatherSeries(new WeatherMetadata(history.Source, WeatherFormat.PlainCsv, site.LatitudeDeg, site.LongitudeDeg, site.AltitudeM, offset), rows);
    }

    /// <summary>Features for a site over a weather series (labels NaN).</summary>
    public static ChainFeatureSet Build(Site site, WeatherSeries weather, int siteIndex = 0)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(weather);
        var model = new PvSystemModel(Unshaded(site));
        var result = model.Run(weather);
        var n = weather.Count;
        var x = new Tensor(n, ChainColumns.Count, "features");
        var y = new Tensor(n, ChainColumns.LabelCount, "labels");
        Array.Fill(y.Data, float.NaN);
        var times = new DateTimeOffset[n];
        var az = new double[n];
        var el = new double[n];
        var dcW = site.DcCapacityW;
        var ratio = dcW / site.Inverter.AcCapacityW;
        var shares = site.Planes.Select(p => p.DcCapacityW / dcW).ToArray();
        var timeMid = weather.TimeMid;
        for (var i = 0; i < n; i++)
        {
            ref readonly var step = ref result.Steps[i];
            double beam = 0, sky = 0, ground = 0;
            for (var p = 0; p < shares.Length; p++)
            {
                ref readonly var ps = ref result.Plane(i, p);
                beam += shares[p] * Finite(ps.Poa.DirectWm2 * ps.Iam);
                sky += shares[p] * Finite(ps.Poa.SkyDiffuseWm2);
                ground += shares[p] * Finite(ps.Poa.GroundDiffuseWm2);
            }
            var sunAz = step.Sun.AzimuthDeg;
            var sunEl = step.Sun.ApparentElevationDeg;
            var t = step.TempAirC; // the physics core put its defaults in for missing values
            var w = step.WindSpeedMs;
            var row = x.Row(i);
            row[ChainColumns.SinAzimuth] = (float)Math.Sin(sunAz * Math.PI / 180);
            row[ChainColumns.CosAzimuth] = (float)Math.Cos(sunAz * Math.PI / 180);
            row[ChainColumns.Elevation] = (float)(Math.Max(-10, sunEl) / 90);
            row[ChainColumns.Beam] = (float)(beam / 1000);
            row[ChainColumns.SkyDiffuse] = (float)(sky / 1000);
            row[ChainColumns.Ground] = (float)(ground / 1000);
            row[ChainColumns.TempAir] = (float)((t - 20) / 20);
            row[ChainColumns.Wind] = (float)(w / 10);
            row[ChainColumns.DcAcRatio] = (float)ratio;
            row[ChainColumns.Site] = siteIndex;
            times[i] = timeMid[i];
            az[i] = sunAz;
            el[i] = sunEl;
        }
        return new ChainFeatureSet(x, y, times, az, el, site.Inverter.AcCapacityW, dcW) { Weather = weather };
    }

    /// <summary>Features and labels from a measured history whose weather columns stand in for the weather.</summary>
    /// <summary>True when a history should drive the chain by its measured POA: it has <c>poa_wm2</c> and no usable GHI.</summary>
    public static bool PrefersPoaInput(History history)
    {
        ArgumentNullException.ThrowIfNull(history);
        return history.Column("poa_wm2") is { } poa && poa.Any(double.IsFinite)
            && (history.Column("ghi_wm2") is not { } ghi || !ghi.Any(double.IsFinite));
    }

    public static ChainFeatureSet Build(Site site, History history, int siteIndex = 0, bool poaInput = false)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(history);
        var measuredPoa = history.Column("poa_wm2");
        if (poaInput && measuredPoa is null)
        {
            throw new Cli.InputException($"{history.Source}: no 'poa_wm2' column (the model takes the measured plane-of-array irradiance)");
        }
        var set = Build(site, WeatherOf(history, site, requireGhi: !poaInput), siteIndex);
        if (poaInput)
        {
            set = set with { PoaInput = true };
        }
        var half = history.Step / 2;
        for (var i = 0; i < set.Rows; i++)
        {
            set.Times[i] -= half;
        }
        var ac = history.Column("ac_power_w");
        var dc = history.Column("dc_power_w");
        var poa = history.Column("poa_wm2");
        var state = history.Column("inverter_state");
        for (var i = 0; i < set.Rows; i++)
        {
            var labels = set.Y.Row(i);
            if (ac is not null) { labels[ChainColumns.LabelAc] = (float)(ac[i] / set.AcRatingW); }
            if (dc is not null) { labels[ChainColumns.LabelDc] = (float)(dc[i] / set.DcCapacityW); }
            if (poa is not null) { labels[ChainColumns.LabelPoa] = (float)(poa[i] / 1000); }
            // SunSpec operating state 7 = FAULT: the power is not the system's response to the weather
            if (state is not null && state[i] == FaultState)
            {
                labels[ChainColumns.LabelAc] = float.NaN;
                labels[ChainColumns.LabelDc] = float.NaN;
            }
            if (poaInput)
            {
                // N1 bypassed: the measured POA reaches the module as it is (the ground column carries it, beam and sky 0)
                var row = set.X.Row(i);
                row[ChainColumns.Beam] = 0;
                row[ChainColumns.SkyDiffuse] = 0;
                row[ChainColumns.Ground] = (float)(Math.Max(0, measuredPoa![i]) / 1000);
                labels[ChainColumns.LabelPoa] = float.NaN;
                if (!double.IsFinite(measuredPoa[i]))
                {
                    labels.Fill(float.NaN);
                    row.Fill(0);
                }
                continue;
            }
            // a row whose weather is missing cannot be explained: mask its labels
            if (float.IsNaN(set.X[i, ChainColumns.Beam]) || double.IsNaN(history.Column("ghi_wm2")![i]))
            {
                labels.Fill(float.NaN);
                set.X.Row(i).Fill(0);
            }
        }
        return set;
    }

    private static double Finite(double v) => double.IsFinite(v) ? v : 0;

    /// <summary>Days (local solar days) with at least four daylight rows whose AC is measured.</summary>
    public static int DaylightDays(ChainFeatureSet set, double longitudeDeg)
    {
        ArgumentNullException.ThrowIfNull(set);
        var counts = new Dictionary<long, int>();
        for (var i = 0; i < set.Rows; i++)
        {
            if (set.IsDaylight(i) && !float.IsNaN(set.Y[i, ChainColumns.LabelAc]))
            {
                var day = (long)Math.Floor((set.Times[i].ToUnixTimeSeconds() + longitudeDeg / 15 * 3600) / 86400.0);
                counts[day] = counts.GetValueOrDefault(day) + 1;
            }
        }
        return counts.Values.Count(c => c >= 4);
    }
}
