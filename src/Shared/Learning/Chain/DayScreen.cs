using PvEdge.Shared.Features;

namespace PvEdge.Shared.Learning.Chain;

/// <summary>Half a day of history left out of fine-tuning (<paramref name="Afternoon"/>: the sun in the western half of the sky, else the eastern): its AC
/// over its productive rows was <paramref name="PerformanceIndex"/> of what the model expected from its weather, against
/// <paramref name="ReferenceIndex"/> on a typical morning or afternoon.</summary>
public sealed record ScreenedHalfDay(DateTimeOffset FirstRowTime, bool Afternoon, double PerformanceIndex, double ReferenceIndex);

/// <summary>
/// Finds the mornings and afternoons of a history that the weather cannot explain: snow on the modules, an outage or a
/// curtailment the inverter did not report as FAULT. They are not the system's response to the weather, and a few of them
/// in a short history pull the site's gain down for good (NREL RSF II, 2–3 January 2022: 73–75 % of a clean day under
/// partial snow all day; SERF West, 2 January: snow until 10:00, a clean afternoon).
/// </summary>
/// <remarks>
/// A half-day's performance index is its measured AC over the model's AC, summed over its rows where the model expects at
/// least <see cref="MinimumLoad"/> of the rating. Mornings are compared with mornings and afternoons with afternoons, so
/// that a tree shading every morning takes the same share of each even where the fit has not learnt it. The
/// reference is the 80th percentile of their indices within <see cref="NeighbourDays"/> days (snow and outages only take
/// power away, so the better half-days are the clean ones; the best one when there are under five); a half-day below
/// a threshold × its reference is left out: 0.8 when the site's own POA sensor drives the model, 0.5 when weather from
/// elsewhere does (<see cref="ThresholdFor"/>). A half-day is judged on at least <see cref="MinimumRows"/> productive
/// rows, against at least one other.
/// </remarks>
public static class DayScreen
{
    /// <summary>The share of its reference under which a half-day is left out when the history's own plane-of-array sensor drives
    /// the model (<see cref="ChainFeatureSet.PoaInput"/>): the weather is measured where the modules are, so a half-day at 80 % of a
    /// typical one is the system's doing (partial snow on NREL RSF II).</summary>
    public const double SensorThreshold = 0.8;

    /// <summary>The same when weather drives the model through N1: a satellite or a distant station is often 15 % off for hours,
    /// and leaving out only the half-days it overestimated would bias the fit (on 12 simulated sites with such errors in GHI, a
    /// threshold of 0.8 left out 0–7 half-days of 28 and raised the mean test nRMSE from 4.70 % to 5.27 %). Only what the weather
    /// cannot have done is left out: an outage, snow covering the array.</summary>
    public const double WeatherThreshold = 0.5;

    public const float MinimumLoad = 0.05f;
    public const int MinimumRows = 4;

    /// <summary>A half-day is compared with those of the same kind at most this many days away: shade the first fit has not
    /// learnt changes with the season (a winter sun behind a tree), snow and outages come from one day to the next.</summary>
    public const int NeighbourDays = 7;

    /// <summary>A gap in the rows' times longer than this starts a new day (loggers that leave out the night).</summary>
    public static readonly TimeSpan DayGap = TimeSpan.FromHours(4);

    /// <summary><see cref="SensorThreshold"/> or <see cref="WeatherThreshold"/>, as the history's features are built.</summary>
    public static double ThresholdFor(ChainFeatureSet data) => (data ?? throw new ArgumentNullException(nameof(data))).PoaInput ? SensorThreshold : WeatherThreshold;

    /// <summary>The <paramref name="rows"/> (ascending, daylight) of the half-days kept, and the half-days left out.</summary>
    public static (int[] Kept, ScreenedHalfDay[] Dropped) Screen(ChainModel model, ChainFeatureSet data, int[] rows) => Screen(model, data, rows, ThresholdFor(data));

    /// <summary>The same with a given threshold (a share of the reference).</summary>
    public static (int[] Kept, ScreenedHalfDay[] Dropped) Screen(ChainModel model, ChainFeatureSet data, int[] rows, double threshold)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(rows);
        var ac = new float[data.Rows];
        model.Predict(data.X, ac, [], [], []);
        var day = DayNumbers(data);
        // half-day key: 2·day, +1 for the afternoon (sun in the western half of the sky)
        int Half(int r) => (2 * day[r]) + (Math.Sin(data.SunAzimuthDeg[r] * Math.PI / 180) < 0 ? 1 : 0);
        var sums = new Dictionary<int, (double Measured, double Expected, int Count, int First)>();
        foreach (var r in rows)
        {
            var y = data.Y[r, ChainColumns.LabelAc];
            if (float.IsNaN(y) || ac[r] < MinimumLoad)
            {
                continue;
            }
            var s = sums.GetValueOrDefault(Half(r), (0, 0, 0, r));
            sums[Half(r)] = (s.Measured + y, s.Expected + ac[r], s.Count + 1, s.First);
        }
        var dropped = new Dictionary<int, ScreenedHalfDay>();
        foreach (var afternoon in new[] { false, true })
        {
            var judged = sums.Where(kv => kv.Value.Count >= MinimumRows && (kv.Key % 2 == 1) == afternoon)
                .Select(kv => (kv.Key, Index: kv.Value.Measured / kv.Value.Expected, kv.Value.First)).ToArray();
            foreach (var j in judged)
            {
                var near = judged.Where(k => Math.Abs((k.Key / 2) - (j.Key / 2)) <= NeighbourDays).Select(k => k.Index).ToArray();
                var reference = near.Length >= 2 ? Reference(near) : double.NaN;
                if (j.Index < threshold * reference)
                {
                    dropped[j.Key] = new ScreenedHalfDay(data.Times[j.First], afternoon, j.Index, reference);
                }
            }
        }
        return dropped.Count == 0 ? (rows, []) : ([.. rows.Where(r => !dropped.ContainsKey(Half(r)))], [.. dropped.Values.OrderBy(d => d.FirstRowTime)]);
    }

    // each daylight row's day: a new day starts at every night-to-day transition and after every gap in time of over DayGap
    internal static int[] DayNumbers(ChainFeatureSet data)
    {
        var day = new int[data.Rows];
        var n = 0;
        for (var i = 0; i < data.Rows; i++)
        {
            if (data.IsDaylight(i) && i > 0 && (!data.IsDaylight(i - 1) || data.Times[i] - data.Times[i - 1] > DayGap))
            {
                n++;
            }
            day[i] = n;
        }
        return day;
    }

    // the 80th percentile's day (the best day of a history under five days): snow and outages only take power away, and in a
    // short winter history more than half the days may have them
    private static double Reference(double[] indices)
    {
        Array.Sort(indices);
        return indices[Math.Min(indices.Length - 1, (int)(0.8 * indices.Length))];
    }
}
