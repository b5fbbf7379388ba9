using System.Globalization;
using PvEdge.Shared.Physics;
using PvEdge.Shared.Sites;
using PvEdge.TestSupport;

namespace PvEdge.Shared.Tests.Physics;

/// <summary>The pvlib golden table ../shared/reference/pvlib/greensboro_hourly.csv, column-wise (empty cell = NaN).</summary>
internal sealed class PvlibReference
{
    private static readonly Lazy<PvlibReference> Lazy = new(() => new PvlibReference(RepoPaths.Shared("reference/pvlib/greensboro_hourly.csv")));

    private readonly Dictionary<string, double[]> _columns = new(StringComparer.Ordinal);

    private PvlibReference(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        TimeMid = new DateTimeOffset[lines.Length - 1];
        foreach (var h in header.Skip(2))
        {
            _columns[h] = new double[lines.Length - 1];
        }
        for (var i = 1; i < lines.Length; i++)
        {
            var f = lines[i].Split(',');
            TimeMid[i - 1] = DateTimeOffset.Parse(f[1], CultureInfo.InvariantCulture);
            for (var c = 2; c < header.Length; c++)
            {
                _columns[header[c]][i - 1] = f[c].Length == 0 ? double.NaN : double.Parse(f[c], CultureInfo.InvariantCulture);
            }
        }
    }

    public static PvlibReference Greensboro => Lazy.Value;

    public DateTimeOffset[] TimeMid { get; }

    public int Count => TimeMid.Length;

    public double[] this[string column] => _columns[column];

    /// <summary>The site of the reference: 5 kW, tilt 30°, south, albedo 0.2, γ −0.0037, pvlib default losses, DC/AC 1.2, η 0.96.</summary>
    public static Site Site(TranspositionModel transposition, CellTemperatureModel? cellTemperature = null) => new(
        "greensboro", 36.1, -79.95, 273, "America/New_York", 0.2, transposition, IamModel.Physical,
        cellTemperature ?? CellTemperatureModel.SapmOpenRackGlassPolymer, PvWatts.DefaultLossesPct,
        [new Plane("south", 30, 180, 5.0, -0.0037, HorizonProfile.Flat)], new InverterSpec(5.0 / 1.2, 0.96));
}

/// <summary>Compares a computed column with the reference over every row and reports the worst row.</summary>
internal static class Tolerance
{
    /// <summary>Asserts |actual − expected| ≤ absolute on every row where the reference has a value.</summary>
    public static void WithinAbsolute(string name, double[] expected, Func<int, double> actual, double absolute)
    {
        var worst = 0.0;
        var worstRow = -1;
        var compared = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            if (double.IsNaN(expected[i]))
            {
                continue;
            }
            compared++;
            var a = actual(i);
            var d = Math.Abs(a - expected[i]);
            if (!(d <= worst))
            {
                worst = double.IsNaN(d) ? double.PositiveInfinity : d;
                worstRow = i;
            }
        }
        Assert.True(compared > 0, $"{name}: no reference values");
        Assert.True(worst <= absolute,
            $"{name}: worst |diff| {worst:G6} > {absolute:G3} at row {worstRow + 1} (expected {expected[Math.Max(worstRow, 0)]}, got {actual(Math.Max(worstRow, 0))})");
    }

    /// <summary>Asserts |actual − expected| ≤ relative·|expected| (plus the reference's 6-decimal rounding) on every row where the reference has a value.</summary>
    public static void WithinRelative(string name, double[] expected, Func<int, double> actual, double relative)
    {
        for (var i = 0; i < expected.Length; i++)
        {
            if (double.IsNaN(expected[i]))
            {
                if (!double.IsNaN(actual(i)))
                {
                    Assert.Fail($"{name}: row {i + 1}: expected empty (NaN), got {actual(i)}");
                }
                continue;
            }
            var allowed = relative * Math.Abs(expected[i]) + 5e-7;
            if (!(Math.Abs(actual(i) - expected[i]) <= allowed))
            {
                Assert.Fail($"{name}: row {i + 1}: expected {expected[i]}, got {actual(i)}");
            }
        }
    }
}
