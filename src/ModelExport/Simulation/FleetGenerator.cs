using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PvEdge.Shared.Features;
using PvEdge.Shared.Learning;
using PvEdge.Shared.Physics;
using PvEdge.Shared.Sites;
using PvEdge.Shared.Weather;

namespace PvEdge.ModelExport.Simulation;

/// <summary>What the fleet generator drew for one site (the truth the evaluation compares against).</summary>
public sealed record FleetSite(
    int Id,
    string SiteFile,
    string HistoryFile,
    string TruthFile,
    double LatitudeDeg,
    double LongitudeDeg,
    double DcKwp,
    double AcKw,
    double GammaPdcPerC,
    double SoilingFraction,
    double ClearDayProbability,
    bool Shaded,
    bool MeasuresDc,
    bool MeasuresPoa,
    int FaultDays,
    ShadingScene Scene);

/// <summary>The fleet's manifest (manifest.json).</summary>
public sealed record FleetManifest(int Schema, ulong Seed, int Days, string Start, int StepMinutes, double NoiseRelative, double NoiseAbsoluteOfRating,
    IReadOnlyList<FleetSite> Sites);

/// <summary>Options of <see cref="FleetGenerator"/>.</summary>
public sealed record FleetOptions(int Sites, ulong Seed, int Days = 365, int StepMinutes = 15, DateOnly? Start = null)
{
    public DateOnly StartDate => Start ?? new DateOnly(2025, 1, 1);
}

/// <summary>A simulated fleet: diverse sites (orientation, size, DC/AC ratio, temperature coefficient, soiling, shading scene,
/// climate), stochastic weather (Ineichen clear sky × <see cref="CloudProcess"/>, Erbs split, temperature and wind processes),
/// the true physics of the physics core with the scene's beam mask, and telemetry as a gateway sees it: 15-minute AC with
/// multiplicative and additive noise, night zeros, gaps, labelled inverter faults; some sites also measure DC and POA.</summary>
public sealed class FleetGenerator
{
    public const double NoiseRelative = 0.01;
    public const double NoiseAbsoluteOfRating = 0.003;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public FleetGenerator(FleetOptions options)
    {
        Options = options ?? throw new ArgumentNullException(nameof(options));
    }

    public FleetOptions Options { get; }

    /// <summary>Writes the fleet into <paramref name="directory"/> (sites/, history/, truth/, manifest.json).</summary>
    public FleetManifest Write(string directory, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(Path.Combine(directory, "sites"));
        Directory.CreateDirectory(Path.Combine(directory, "history"));
        Directory.CreateDirectory(Path.Combine(directory, "truth"));
        var master = new SeededRandom(Options.Seed);
        var seeds = Enumerable.Range(0, Options.Sites).Select(_ => master.NextULong()).ToArray();
        var sites = new FleetSite[Options.Sites];
        var done = 0;
        Parallel.For(0, Options.Sites, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount), CancellationToken = cancellationToken }, k =>
        {
            sites[k] = WriteSite(directory, k + 1, new SeededRandom(seeds[k]));
            progress?.Report(Interlocked.Increment(ref done) / (double)Options.Sites);
        });
        var manifest = new FleetManifest(1, Options.Seed, Options.Days, Options.StartDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            Options.StepMinutes, NoiseRelative, NoiseAbsoluteOfRating, sites);
        File.WriteAllText(Path.Combine(directory, "manifest.json"), JsonSerializer.Serialize(manifest, Json));
        return manifest;
    }

    public static FleetManifest ReadManifest(string directory)
    {
        var path = Path.Combine(directory, "manifest.json");
        if (!File.Exists(path))
        {
            throw new Shared.Cli.InputException($"{path}: file not found (expected a fleet written by 'modelexport fleet')");
        }
        try
        {
            return JsonSerializer.Deserialize<FleetManifest>(File.ReadAllText(path))
                ?? throw new Shared.Cli.InputException($"{path}: empty manifest");
        }
        catch (JsonException e)
        {
            throw new Shared.Cli.InputException($"{path}: not a fleet manifest ({e.Message})");
        }
    }

    /// <summary>Draws one site's description as site-file JSON (formats.md) plus the hidden truth.</summary>
    internal static (JsonObject SiteJson, double Soiling, double ClearProbability, ShadingScene Scene, double ArrayAzimuthDeg) DrawSite(int id, SeededRandom rng)
    {
        var lat = rng.Uniform(25, 55);
        var lon = rng.Uniform(-120, 30);
        var dcKwp = rng.Uniform(2, 15);
        var ratio = rng.Uniform(0.9, 1.6);
        var gamma = rng.Uniform(-0.0045, -0.0025);
        var planes = new JsonArray();
        double mainAzimuth;
        if (rng.NextDouble() < 0.2)
        {
            var tilt = rng.Uniform(10, 35);
            var east = rng.Uniform(80, 100);
            var share = rng.Uniform(0.4, 0.6);
            planes.Add(Plane("east", tilt, east, dcKwp * share, gamma));
            planes.Add(Plane("west", tilt, east + 180, dcKwp * (1 - share), gamma));
            mainAzimuth = 180;
        }
        else
        {
            var tilt = rng.NextDouble() < 0.1 ? rng.Uniform(0, 5) : rng.Uniform(5, 60);
            mainAzimuth = rng.Uniform(60, 300);
            planes.Add(Plane("main", tilt, mainAzimuth, dcKwp, gamma));
        }
        var json = new JsonObject
        {
            ["name"] = $"fleet-{id:D4}",
            ["latitude"] = Math.Round(lat, 4),
            ["longitude"] = Math.Round(lon, 4),
            ["altitude_m"] = Math.Round(rng.Uniform(0, 800)),
            ["albedo"] = 0.2,
            ["transposition"] = "perez",
            ["planes"] = planes,
            ["inverter"] = new JsonObject { ["ac_kw"] = Math.Round(dcKwp / ratio, 4), ["eta_nominal"] = 0.96 },
        };
        var soiling = rng.Uniform(0, 0.08);
        var clear = rng.Uniform(0.2, 0.7);
        var scene = ShadingScene.Random(rng, mainAzimuth);
        return (json, soiling, clear, scene, mainAzimuth);
    }

    private static JsonObject Plane(string name, double tilt, double azimuth, double kwp, double gamma) => new()
    {
        ["name"] = name,
        ["tilt_deg"] = Math.Round(tilt, 2),
        ["azimuth_deg"] = Math.Round(azimuth, 2),
        ["dc_kwp"] = Math.Round(kwp, 4),
        ["gamma_pdc_per_c"] = Math.Round(gamma, 5),
    };

    private FleetSite WriteSite(string directory, int id, SeededRandom rng)
    {
        var (json, soiling, clear, scene, mainAz) = DrawSite(id, rng);
        var siteRel = Path.Combine("sites", $"site_{id:D4}.json");
        var histRel = Path.Combine("history", $"site_{id:D4}.csv");
        var truthRel = Path.Combine("truth", $"site_{id:D4}.csv");
        var sitePath = Path.Combine(directory, siteRel);
        File.WriteAllText(sitePath, json.ToJsonString(Json));
        var site = SiteLoader.Load(sitePath);
        var measuresDc = rng.NextDouble() < 0.3;
        var measuresPoa = rng.NextDouble() < 0.2;
        var sim = Simulate(site, scene, soiling, clear, rng, Options);
        var n = sim.Times.Length;
        // telemetry: noise, night zeros, gaps and labelled faults
        var ac = new double[n];
        var dc = new double[n];
        var poa = new double[n];
        var state = new double[n];
        var acRating = site.Inverter.AcCapacityW;
        var faultDays = rng.NextDouble() < 0.15 ? 1 + rng.NextInt(3) : 0;
        var faultStart = new HashSet<int>();
        var stepsPerDay = 1440 / Options.StepMinutes;
        for (var f = 0; f < faultDays; f++)
        {
            faultStart.Add(rng.NextInt(Math.Max(1, Options.Days)));
        }
        var gapLeft = 0;
        for (var i = 0; i < n; i++)
        {
            if (gapLeft == 0 && rng.NextDouble() < 0.0008)
            {
                gapLeft = 1 + rng.NextInt(16);
            }
            var gap = gapLeft > 0 || rng.NextDouble() < 0.005;
            if (gapLeft > 0)
            {
                gapLeft--;
            }
            var fault = faultStart.Contains(i / stepsPerDay);
            var night = sim.ElevationDeg[i] <= 0;
            if (gap)
            {
                ac[i] = dc[i] = poa[i] = state[i] = double.NaN;
                continue;
            }
            if (fault && !night)
            {
                ac[i] = 0;
                dc[i] = 0;
                state[i] = 7;
            }
            else if (night || sim.AcW[i] <= 0)
            {
                ac[i] = 0;
                dc[i] = 0;
                state[i] = 2;
            }
            else
            {
                ac[i] = Math.Max(0, sim.AcW[i] * (1 + NoiseRelative * rng.NextGaussian()) + NoiseAbsoluteOfRating * acRating * rng.NextGaussian());
                dc[i] = Math.Max(0, sim.DcW[i] * (1 + NoiseRelative * rng.NextGaussian()) + NoiseAbsoluteOfRating * acRating * rng.NextGaussian());
                state[i] = 4;
            }
            poa[i] = Math.Max(0, sim.PoaW[i] * (1 + 0.02 * rng.NextGaussian()));
        }
        var columns = new Dictionary<string, double[]>
        {
            ["ac_power_w"] = ac,
            ["ghi_wm2"] = sim.Ghi,
            ["dni_wm2"] = sim.Dni,
            ["dhi_wm2"] = sim.Dhi,
            ["temp_air_c"] = sim.TempC,
            ["wind_speed_ms"] = sim.WindMs,
            ["inverter_state"] = state,
        };
        if (measuresDc)
        {
            columns["dc_power_w"] = dc;
        }
        if (measuresPoa)
        {
            columns["poa_wm2"] = poa;
        }
        Shared.Features.History.Write(Path.Combine(directory, histRel), sim.Times, columns);
        using (var w = new StreamWriter(Path.Combine(directory, truthRel)))
        {
            w.Write("time,ac_power_w,dc_power_w,poa_wm2,beam_factor\n");
            for (var i = 0; i < n; i++)
            {
                w.Write(string.Create(CultureInfo.InvariantCulture,
                    $"{sim.Times[i]:yyyy-MM-ddTHH:mm:sszzz},{sim.AcW[i]:0.###},{sim.DcW[i]:0.###},{sim.PoaW[i]:0.###},{sim.BeamFactor[i]:0.####}\n"));
            }
        }
        return new FleetSite(id, siteRel, histRel, truthRel, site.LatitudeDeg, site.LongitudeDeg, site.DcCapacityW / 1000, site.Inverter.AcKw,
            site.Planes[0].GammaPdcPerC, soiling, clear, scene.IsShaded(mainAz), measuresDc, measuresPoa, faultDays, scene);
    }

    /// <summary>The truth of one site over the fleet period.</summary>
    internal sealed record Simulation(DateTimeOffset[] Times, double[] Ghi, double[] Dni, double[] Dhi, double[] TempC, double[] WindMs,
        double[] ElevationDeg, double[] BeamFactor, double[] PoaW, double[] DcW, double[] AcW);

    /// <summary>What <see cref="TruePower"/> returns, one value per weather row.</summary>
    internal sealed record TruePowerSeries(double[] ElevationDeg, double[] BeamFactor, double[] PoaW, double[] DcW, double[] AcW);

    /// <summary>Weather and true power of a site: physics core for sun, clear sky, transposition, IAM, cell temperature and
    /// PVWatts; the scene's beam factor multiplies the plane beam; soiling scales DC.</summary>
    internal static Simulation Simulate(Site site, ShadingScene scene, double soiling, double clearProbability, SeededRandom rng, FleetOptions options)
    {
        var offset = TimeSpan.FromHours(Math.Round(site.LongitudeDeg / 15));
        var stepsPerDay = 1440 / options.StepMinutes;
        var n = options.Days * stepsPerDay;
        var start = new DateTimeOffset(options.StartDate.ToDateTime(TimeOnly.MinValue), offset);
        var step = TimeSpan.FromMinutes(options.StepMinutes);
        var unshaded = new PvSystemModel(ChainFeatureSpecification.Unshaded(site));
        var clouds = new CloudProcess(rng.Fork(), clearProbability);
        var samples = new WeatherSample[n];
        var times = new DateTimeOffset[n];
        var ghi = new double[n];
        var dni = new double[n];
        var dhi = new double[n];
        var temp = new double[n];
        var wind = new double[n];
        // climate: annual mean temperature falls with latitude; seasonal and daily swings
        var tMean = 28 - 0.45 * Math.Abs(site.LatitudeDeg);
        var tSeason = 4 + 0.2 * Math.Abs(site.LatitudeDeg);
        var tempNoise = 0.0;
        var windState = 0.0;
        for (var i = 0; i < n; i++)
        {
            if (i % stepsPerDay == 0)
            {
                clouds.NewDay();
            }
            var t0 = start + step * i;
            var mid = t0 + step / 2;
            times[i] = t0;
            var cs = unshaded.ClearSkySample(mid);
            var k = clouds.Next();
            var sun = Spa.Compute(mid, site.Observer, site.DefaultPressurePa, 15);
            var g = cs.GhiWm2 * k;
            var split = g > 0 ? Decomposition.Erbs(g, sun.ZenithDeg, Atmosphere.ExtraterrestrialSpencerWm2(mid)) : new HorizontalIrradiance(0, 0, 0);
            var doy = mid.DayOfYear;
            var hour = mid.Hour + mid.Minute / 60.0;
            tempNoise = 0.98 * tempNoise + 0.3 * rng.NextGaussian();
            var seasonal = -Math.Cos(2 * Math.PI * (doy - 15) / 365.0) * (site.LatitudeDeg >= 0 ? 1 : -1);
            var daily = -Math.Cos(2 * Math.PI * (hour - 3) / 24.0);
            temp[i] = Math.Round(tMean + tSeason * seasonal + (3 + 3 * k) * daily + tempNoise, 2);
            windState = 0.95 * windState + 0.3 * rng.NextGaussian();
            wind[i] = Math.Round(Math.Max(0, 2.5 + windState + 0.8 * daily), 2);
            ghi[i] = Math.Round(Math.Max(0, split.GhiWm2), 2);
            dni[i] = Math.Round(Math.Max(0, split.DniWm2), 2);
            dhi[i] = Math.Round(Math.Max(0, split.DhiWm2), 2);
            samples[i] = new WeatherSample(mid, ghi[i], dni[i], dhi[i], temp[i], wind[i]);
        }
        var series = new WeatherSeries(new WeatherMetadata("fleet", WeatherFormat.PlainCsv, site.LatitudeDeg, site.LongitudeDeg, site.AltitudeM, offset), samples);
        var power = TruePower(site, unshaded.Run(series), series, soiling, scene);
        return new Simulation(times, ghi, dni, dhi, temp, wind, power.ElevationDeg, power.BeamFactor, power.PoaW, power.DcW, power.AcW);
    }

    /// <summary>True sun elevation, beam factor, plane irradiance, DC and AC of a site, from the unshaded physics run over
    /// <paramref name="weather"/> (<paramref name="unshaded"/>), the scene's beam factor on the plane beam and soiling on DC.</summary>
    internal static TruePowerSeries TruePower(Site site, ChainResult unshaded, WeatherSeries weather, double soiling, ShadingScene scene)
    {
        var n = weather.Count;
        var el = new double[n];
        var s = new double[n];
        var poaOut = new double[n];
        var dcOut = new double[n];
        var acOut = new double[n];
        var loss = (1 - site.LossesPct / 100) * (1 - soiling);
        var pdc0 = site.Inverter.Pdc0W;
        var dcTotalW = site.DcCapacityW;
        var stepLength = n > 1 ? unshaded.Steps[1].TimeMid - unshaded.Steps[0].TimeMid : TimeSpan.Zero;
        for (var i = 0; i < n; i++)
        {
            ref readonly var st = ref unshaded.Steps[i];
            el[i] = st.Sun.ApparentElevationDeg;
            var leaf = ShadingScene.LeafOn(st.TimeMid.DayOfYear, site.LatitudeDeg);
            s[i] = st.Sun.IsUp ? IntervalBeamFactor(unshaded.Steps, i, stepLength, scene, leaf) : 0;
            double dcSum = 0, poaSum = 0;
            for (var p = 0; p < site.Planes.Count; p++)
            {
                var plane = site.Planes[p];
                ref readonly var ps = ref unshaded.Plane(i, p);
                var direct = Finite(ps.Poa.DirectWm2) * s[i];
                var diffuse = Finite(ps.Poa.SkyDiffuseWm2) + Finite(ps.Poa.GroundDiffuseWm2);
                var effective = direct * Finite(ps.Iam) + diffuse;
                var cell = site.CellTemperature.CellC(direct + diffuse, weather[i].TempAirC, weather[i].WindSpeedMs);
                dcSum += PvWatts.DcPowerW(effective, cell, plane.DcCapacityW, plane.GammaPdcPerC) * loss;
                poaSum += (direct + diffuse) * plane.DcCapacityW / dcTotalW;
            }
            dcOut[i] = Math.Max(0, dcSum);
            acOut[i] = Math.Max(0, PvWatts.Inverter(dcOut[i], pdc0, site.Inverter.EtaNominal).AcPowerW);
            poaOut[i] = poaSum;
        }
        return new TruePowerSeries(el, s, poaOut, dcOut, acOut);
    }

    /// <summary>The scene's beam factor over step <paramref name="i"/>'s interval (telemetry is interval means, and the sun crosses
    /// an obstacle's edge within an interval): the sun's position at the interval's start and end is taken half-way to the
    /// neighbouring steps' midpoints (mirrored across the midpoint where a neighbour is missing or not
    /// <paramref name="stepLength"/> away, the series' first spacing).</summary>
    private static double IntervalBeamFactor(ReadOnlySpan<ChainStep> steps, int i, TimeSpan stepLength, ShadingScene scene, double leafOn)
    {
        ref readonly var mid = ref steps[i];
        var before = Adjacent(steps, i, -1, stepLength);
        var after = Adjacent(steps, i, +1, stepLength);
        var (azMid, elMid) = (mid.Sun.AzimuthDeg, mid.Sun.ApparentElevationDeg);
        if (before is null && after is null)
        {
            return scene.BeamFactor(azMid, elMid, leafOn);
        }
        // half-steps from the midpoint towards each neighbour, mirrored where one side is missing
        var (dAzBefore, dElBefore) = before is { } b ? Half(b, mid.Sun) : Negate(Half(after!.Value, mid.Sun));
        var (dAzAfter, dElAfter) = after is { } a ? Half(a, mid.Sun) : Negate((dAzBefore, dElBefore));
        return scene.IntervalBeamFactor(azMid + dAzBefore, elMid + dElBefore, azMid, elMid, azMid + dAzAfter, elMid + dElAfter, leafOn);

        static (double Az, double El) Half(SolarPosition other, SolarPosition at) =>
            (ShadingScene.AzimuthOffsetDeg(other.AzimuthDeg, at.AzimuthDeg) / 2, (other.ApparentElevationDeg - at.ApparentElevationDeg) / 2);
        static (double Az, double El) Negate((double Az, double El) d) => (-d.Az, -d.El);
    }

    /// <summary>The sun at the step <paramref name="direction"/> away from <paramref name="i"/> when that step exists and lies one
    /// <paramref name="stepLength"/> away, else null.</summary>
    private static SolarPosition? Adjacent(ReadOnlySpan<ChainStep> steps, int i, int direction, TimeSpan stepLength)
    {
        var j = i + direction;
        if (j < 0 || j >= steps.Length)
        {
            return null;
        }
        var gap = (steps[j].TimeMid - steps[i].TimeMid).Duration();
        return gap > stepLength * 1.5 || gap == TimeSpan.Zero ? null : steps[j].Sun;
    }

    private static double Finite(double v) => double.IsFinite(v) ? v : 0;
}
