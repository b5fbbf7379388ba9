using System.Text.Json.Serialization;
using PvEdge.Shared.Learning;

namespace PvEdge.ModelExport.Simulation;

/// <summary>A near obstacle seen from the array, as a beam mask over sun azimuth and elevation.</summary>
/// <param name="Kind">tree, chimney or building</param>
/// <param name="AzimuthDeg">centre azimuth (clockwise from north)</param>
/// <param name="HalfWidthDeg">half the angular width</param>
/// <param name="TopElevationDeg">elevation of the top edge at the centre (a tree's crown is rounded)</param>
/// <param name="LeafOnTransmittance">beam fraction let through in summer (1 − opacity; 0 for solid obstacles)</param>
/// <param name="LeafOffTransmittance">beam fraction let through in winter</param>
public sealed record Obstacle(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("azimuth_deg")] double AzimuthDeg,
    [property: JsonPropertyName("half_width_deg")] double HalfWidthDeg,
    [property: JsonPropertyName("top_elevation_deg")] double TopElevationDeg,
    [property: JsonPropertyName("leaf_on_transmittance")] double LeafOnTransmittance,
    [property: JsonPropertyName("leaf_off_transmittance")] double LeafOffTransmittance)
{
    /// <summary>Beam fraction let through at a season's foliage <paramref name="leafOn"/> in [0,1] (<see cref="ShadingScene.LeafOn"/>).</summary>
    public double Transmittance(double leafOn) => (LeafOnTransmittance * leafOn) + (LeafOffTransmittance * (1 - leafOn));
}

/// <summary>A shading scene: a far horizon (elevation every 10° of azimuth, linearly interpolated with wrap-around)
/// and near obstacles. <see cref="BeamFactor"/> is the true beam shading factor s ∈ [0,1].</summary>
public sealed record ShadingScene(
    [property: JsonPropertyName("horizon_deg")] double[] HorizonDeg,
    [property: JsonPropertyName("obstacles")] Obstacle[] Obstacles)
{
    public static ShadingScene Open { get; } = new(new double[36], []);

    public double HorizonAt(double azimuthDeg)
    {
        var a = ((azimuthDeg % 360) + 360) % 360 / 10.0;
        var i = (int)Math.Floor(a);
        var f = a - i;
        return HorizonDeg[i % 36] * (1 - f) + HorizonDeg[(i + 1) % 36] * f;
    }

    /// <summary>True beam fraction at a sun position; <paramref name="leafOn"/> in [0,1] is the season's foliage (1 = summer).
    /// Edges are softened over half a degree (the sun's disc).</summary>
    public double BeamFactor(double azimuthDeg, double elevationDeg, double leafOn)
    {
        var s = Edge(elevationDeg - HorizonAt(azimuthDeg));
        foreach (var o in Obstacles)
        {
            var d = Math.Abs(AzimuthOffsetDeg(azimuthDeg, o.AzimuthDeg));
            if (d >= o.HalfWidthDeg + 0.5)
            {
                continue;
            }
            var top = o.TopElevationDeg * TopFraction(o, azimuthDeg);
            var inside = 1 - Edge(elevationDeg - top);
            s *= 1 - inside * (1 - o.Transmittance(leafOn));
        }
        return s;
    }

    /// <summary>Mean beam factor over a telemetry interval, as its interval-mean power sees it: the sun runs from
    /// (<paramref name="startAzimuthDeg"/>, <paramref name="startElevationDeg"/>) at the interval's start through the midpoint
    /// (<paramref name="midAzimuthDeg"/>, <paramref name="midElevationDeg"/>) to the end, straight within each half, and
    /// <see cref="BeamFactor"/> is averaged over <see cref="IntervalSamples"/> instants evenly spread over the interval.</summary>
    public double IntervalBeamFactor(double startAzimuthDeg, double startElevationDeg, double midAzimuthDeg, double midElevationDeg,
        double endAzimuthDeg, double endElevationDeg, double leafOn)
    {
        var sum = 0.0;
        for (var k = 0; k < IntervalSamples; k++)
        {
            var u = (k + 0.5) / IntervalSamples;
            var (az0, el0, az1, el1, f) = u < 0.5
                ? (startAzimuthDeg, startElevationDeg, midAzimuthDeg, midElevationDeg, u * 2)
                : (midAzimuthDeg, midElevationDeg, endAzimuthDeg, endElevationDeg, (u - 0.5) * 2);
            sum += BeamFactor(az0 + (f * AzimuthOffsetDeg(az1, az0)), el0 + (f * (el1 - el0)), leafOn);
        }
        return sum / IntervalSamples;
    }

    /// <summary>Instants <see cref="IntervalBeamFactor"/> averages over (one a minute in a 15-minute interval).</summary>
    public const int IntervalSamples = 15;

    /// <summary>The azimuth <paramref name="toDeg"/> as seen from <paramref name="fromDeg"/>, the short way round: in [−180, 180).</summary>
    internal static double AzimuthOffsetDeg(double toDeg, double fromDeg) => ((toDeg - fromDeg + 540) % 360) - 180;

    private static double Edge(double marginDeg) => Math.Clamp((marginDeg / (2 * EdgeHalfWidthDeg)) + 0.5, 0, 1);

    /// <summary>Foliage of deciduous trees by day of year and hemisphere: 1 from late May to September, 0 in winter, ramps between.</summary>
    public static double LeafOn(int dayOfYear, double latitudeDeg)
    {
        var d = latitudeDeg >= 0 ? dayOfYear : (dayOfYear + 182) % 365;
        return d switch
        {
            < 100 => 0,
            < 145 => (d - 100) / 45.0,
            < 270 => 1,
            < 315 => (315 - d) / 45.0,
            _ => 0,
        };
    }

    /// <summary>A random scene: about a third open, the rest with hills, trees, chimneys and neighbouring buildings.</summary>
    public static ShadingScene Random(SeededRandom rng, double arrayAzimuthDeg)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var horizon = new double[36];
        var hills = rng.NextDouble() < 0.5 ? rng.Uniform(1, 8) : rng.Uniform(0, 2);
        var phase1 = rng.Uniform(0, 2 * Math.PI);
        var phase2 = rng.Uniform(0, 2 * Math.PI);
        for (var i = 0; i < 36; i++)
        {
            var a = i * Math.PI / 18;
            horizon[i] = Math.Max(0, hills * (0.6 + 0.4 * Math.Sin(a + phase1) + 0.3 * Math.Sin(3 * a + phase2)));
        }
        var obstacles = new List<Obstacle>();
        if (rng.NextDouble() < 0.3)
        {
            return new ShadingScene(horizon, []);
        }
        var count = 1 + rng.NextInt(3);
        for (var k = 0; k < count; k++)
        {
            // obstacles mostly in the half sky the array faces, where they matter
            var az = arrayAzimuthDeg + rng.Uniform(-100, 100);
            az = ((az % 360) + 360) % 360;
            var kind = rng.NextDouble() switch { < 0.5 => "tree", < 0.7 => "chimney", _ => "building" };
            obstacles.Add(kind switch
            {
                "tree" => new Obstacle(kind, az, rng.Uniform(8, 25), Draw(TopElevationPriorDeg(kind)), rng.Uniform(0.05, 0.3), rng.Uniform(0.45, 0.75)),
                "chimney" => new Obstacle(kind, az, rng.Uniform(2, 5), Draw(TopElevationPriorDeg(kind)), 0, 0),
                _ => new Obstacle(kind, az, rng.Uniform(10, 35), Draw(TopElevationPriorDeg(kind)), 0, 0),
            });
        }
        return new ShadingScene(horizon, [.. obstacles]);

        double Draw((double Lo, double Hi) range) => rng.Uniform(range.Lo, range.Hi);
    }

    /// <summary>The range <see cref="Random"/> draws an obstacle's top elevation from, uniformly, by kind.</summary>
    public static (double Lo, double Hi) TopElevationPriorDeg(string kind) => kind switch
    {
        "tree" => (12, 40),
        "chimney" => (10, 35),
        _ => (8, 25),
    };

    /// <summary>An obstacle's top edge at an azimuth, as a fraction of <see cref="Obstacle.TopElevationDeg"/> (a tree's crown is
    /// an ellipse, other obstacles are flat-topped); 0 outside its width.</summary>
    public static double TopFraction(Obstacle obstacle, double azimuthDeg)
    {
        ArgumentNullException.ThrowIfNull(obstacle);
        var d = Math.Abs(AzimuthOffsetDeg(azimuthDeg, obstacle.AzimuthDeg));
        if (obstacle.Kind == "tree")
        {
            var u = Math.Min(1, d / obstacle.HalfWidthDeg);
            return Math.Sqrt(1 - (u * u));
        }
        return d <= obstacle.HalfWidthDeg ? 1 : 0;
    }

    /// <summary>Half the elevation band over which an edge is softened (the sun's disc): <see cref="BeamFactor"/> is partial within
    /// this margin of an edge.</summary>
    public const double EdgeHalfWidthDeg = 0.25;

    /// <summary>What shades the array, for reports: "unshaded" when <paramref name="shaded"/> is false, else the kind of the
    /// worst obstacle present ("tree" before "chimney" before "building") or "horizon" when only the far horizon shades.</summary>
    public string Category(bool shaded) =>
        !shaded ? "unshaded"
        : Obstacles.Any(o => o.Kind == "tree") ? "tree"
        : Obstacles.Any(o => o.Kind == "chimney") ? "chimney"
        : Obstacles.Length > 0 ? "building"
        : "horizon";

    /// <summary>True when the scene takes away at least 3 % of the beam over an azimuth-elevation grid of the array's half sky.</summary>
    public bool IsShaded(double arrayAzimuthDeg)
    {
        double sum = 0;
        var n = 0;
        for (var az = arrayAzimuthDeg - 90; az <= arrayAzimuthDeg + 90; az += 5)
        {
            for (var el = 2.5; el < 70; el += 5)
            {
                sum += 1 - BeamFactor(az, el, 0.5);
                n++;
            }
        }
        return sum / n >= 0.03;
    }
}
