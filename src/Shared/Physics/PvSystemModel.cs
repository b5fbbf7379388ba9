using System.Runtime.CompilerServices;
using PvEdge.Shared.Sites;
using PvEdge.Shared.Weather;

namespace PvEdge.Shared.Physics;

/// <summary>Everything the chain computed for one weather interval that is not per plane.</summary>
/// <param name="TimeMid">Instant of the geometry (interval midpoint).</param>
/// <param name="Sun">Solar position (SPA, refraction from the row's pressure and temperature).</param>
/// <param name="DniExtraWm2">Extraterrestrial normal irradiance (Spencer, day of year in UTC).</param>
/// <param name="AirMassRelative">Kasten-Young relative air mass on the apparent zenith (NaN at night).</param>
/// <param name="AirMassAbsolute">Pressure-corrected air mass (NaN at night).</param>
/// <param name="Sky">GHI, DNI, DHI used (DNI/DHI from Erbs when the file had none).</param>
/// <param name="TempAirC">Air temperature used (<see cref="PvSystemModel.MissingTempAirC"/> when the weather had none).</param>
/// <param name="WindSpeedMs">Wind speed used (<see cref="PvSystemModel.MissingWindSpeedMs"/> when the weather had none).</param>
/// <param name="PressurePa">Pressure used (from altitude when the file had none).</param>
/// <param name="DcPowerW">Total DC power of all planes after losses.</param>
/// <param name="AcPowerW">AC power of the PVWatts inverter.</param>
/// <param name="ClippedPowerW">AC power lost to clipping at the inverter rating.</param>
/// <param name="Flags">What the weather lacked and how it was filled.</param>
public readonly record struct ChainStep(
    DateTimeOffset TimeMid,
    SolarPosition Sun,
    double DniExtraWm2,
    double AirMassRelative,
    double AirMassAbsolute,
    HorizontalIrradiance Sky,
    double TempAirC,
    double WindSpeedMs,
    double PressurePa,
    double DcPowerW,
    double AcPowerW,
    double ClippedPowerW,
    WeatherFlags Flags);

/// <summary>What the chain computed for one plane in one interval.</summary>
/// <param name="AoiDeg">Angle of incidence of the beam.</param>
/// <param name="Iam">Incidence angle modifier of the beam.</param>
/// <param name="Poa">Plane-of-array irradiance (direct is zero while the sun is behind the plane's far horizon).</param>
/// <param name="EffectiveIrradianceWm2">Direct·IAM + diffuse.</param>
/// <param name="CellTemperatureC">Cell temperature driven by POA global.</param>
/// <param name="DcPowerBeforeLossesW">PVWatts DC power.</param>
/// <param name="DcPowerW">DC power after the site's losses.</param>
/// <param name="BeamShaded">True when the far horizon hid the sun.</param>
public readonly record struct PlaneStep(
    double AoiDeg,
    double Iam,
    PoaIrradiance Poa,
    double EffectiveIrradianceWm2,
    double CellTemperatureC,
    double DcPowerBeforeLossesW,
    double DcPowerW,
    bool BeamShaded);

/// <summary>Result of one instant: the step and one entry per plane (in <see cref="Site.Planes"/> order).</summary>
public sealed record InstantResult(ChainStep Step, IReadOnlyList<PlaneStep> Planes);

/// <summary>Results of a whole series: <see cref="Steps"/>[i] and <see cref="Planes"/>[i * planeCount + p].</summary>
public sealed class ChainResult
{
    /// <summary>Allocates room for <paramref name="count"/> steps of a site with <paramref name="planeCount"/> planes. Reuse it
    /// across runs of the same size to keep <see cref="PvSystemModel.Run(WeatherSeries, ChainResult)"/> allocation-free.</summary>
    public ChainResult(int count, int planeCount)
    {
        Steps = new ChainStep[count];
        Planes = new PlaneStep[count * planeCount];
        PlaneCount = planeCount;
    }

    /// <summary>Number of planes per step.</summary>
    public int PlaneCount { get; }

    /// <summary>Per-step results.</summary>
    public ChainStep[] Steps { get; }

    /// <summary>Per-step, per-plane results, step-major.</summary>
    public PlaneStep[] Planes { get; }

    /// <summary>The result of plane <paramref name="plane"/> at step <paramref name="step"/>.</summary>
    public ref readonly PlaneStep Plane(int step, int plane) => ref Planes[step * PlaneCount + plane];
}

/// <summary>The PV physics chain of a site, as pvlib's <c>ModelChain.with_pvwatts</c> configured from the site file:
/// SPA sun position at the interval midpoint → Spencer E0 (day of year in UTC) and Kasten-Young air mass → (Erbs when DNI/DHI are missing) →
/// transposition per plane with ground reflection and far-horizon beam shading → IAM on the beam → effective irradiance →
/// cell temperature from POA global → PVWatts DC → losses → sum of planes → PVWatts inverter with clipping.
/// <para>Two entry points: <see cref="Simulate(in WeatherSample)"/> for one instant (the inverter simulator, clear-sky forecasts)
/// and <see cref="Run(WeatherSeries, ChainResult)"/> over a series (allocation-free with a reused <see cref="ChainResult"/>).
/// The pieces (<see cref="Spa"/>, <see cref="Transposition"/>, <see cref="Iam"/>, <see cref="CellTemperature"/>, <see cref="PvWatts"/>)
/// are public for callers that need one of them alone.</para>
/// Thread-safe: the instance is immutable.</summary>
public sealed class PvSystemModel
{
    /// <summary>Air temperature assumed for the cell temperature when the weather has none (°C).</summary>
    public const double MissingTempAirC = 20;

    /// <summary>Wind speed assumed for the cell temperature when the weather has none (m/s).</summary>
    public const double MissingWindSpeedMs = 1;

    private readonly Plane[] _planes;
    private readonly double[] _cosTilt;
    private readonly double[] _sinTilt;
    private readonly double _lossFactor;
    private readonly double _pdc0InverterW;

    /// <summary>A chain for a site.</summary>
    public PvSystemModel(Site site)
    {
        ArgumentNullException.ThrowIfNull(site);
        Site = site;
        Observer = site.Observer;
        _planes = [.. site.Planes];
        _cosTilt = [.. _planes.Select(p => Math.Cos(p.TiltDeg * (Math.PI / 180.0)))];
        _sinTilt = [.. _planes.Select(p => Math.Sin(p.TiltDeg * (Math.PI / 180.0)))];
        _lossFactor = 1 - site.LossesPct / 100.0;
        _pdc0InverterW = site.Inverter.Pdc0W;
    }

    /// <summary>The site being modelled.</summary>
    public Site Site { get; }

    /// <summary>SPA observer of the site.</summary>
    public Observer Observer { get; }

    /// <summary>Number of planes.</summary>
    public int PlaneCount => _planes.Length;

    /// <summary>Runs the chain for one instant and allocates the per-plane list.</summary>
    public InstantResult Simulate(in WeatherSample sample)
    {
        var planes = new PlaneStep[_planes.Length];
        var step = Simulate(sample, planes);
        return new InstantResult(step, planes);
    }

    /// <summary>Runs the chain for one instant without allocating; <paramref name="planes"/> receives one entry per plane.</summary>
    public ChainStep Simulate(in WeatherSample sample, Span<PlaneStep> planes)
    {
        if (planes.Length < _planes.Length)
        {
            throw new ArgumentException($"planes span holds {planes.Length} entries; the site has {_planes.Length} planes", nameof(planes));
        }
        var flags = AtmosphereInputs(sample.PressurePa, sample.TempAirC, sample.Flags, out var pressure, out var refractionTemp);
        var sun = Spa.Compute(sample.TimeMid, Observer, pressure, refractionTemp);
        return Step(sample.TimeMid, sun, Atmosphere.ExtraterrestrialSpencerWm2(sample.TimeMid), sample.GhiWm2, sample.DniWm2, sample.DhiWm2,
            sample.TempAirC, sample.WindSpeedMs, pressure, flags, planes);
    }

    /// <summary>Runs the chain over a series into a preallocated result (no allocation).</summary>
    public void Run(WeatherSeries weather, ChainResult result)
    {
        ArgumentNullException.ThrowIfNull(weather);
        ArgumentNullException.ThrowIfNull(result);
        if (result.Steps.Length < weather.Count || result.PlaneCount != _planes.Length)
        {
            throw new ArgumentException($"result holds {result.Steps.Length} steps of {result.PlaneCount} planes; need {weather.Count} of {_planes.Length}", nameof(result));
        }
        Run(weather, result.Steps, result.Planes);
    }

    /// <summary>Runs the chain over a series and allocates the result.</summary>
    public ChainResult Run(WeatherSeries weather)
    {
        ArgumentNullException.ThrowIfNull(weather);
        var result = new ChainResult(weather.Count, _planes.Length);
        Run(weather, result.Steps, result.Planes);
        return result;
    }

    /// <summary>Runs the chain over a series into spans: <paramref name="steps"/>[i] and <paramref name="planes"/>[i·PlaneCount + p].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(WeatherSeries weather, Span<ChainStep> steps, Span<PlaneStep> planes)
    {
        ArgumentNullException.ThrowIfNull(weather);
        var n = weather.Count;
        var p = _planes.Length;
        if (steps.Length < n || planes.Length < n * p)
        {
            throw new ArgumentException("steps or planes span too short for the series");
        }
        var time = weather.TimeMid;
        var unix = weather.UnixMidSeconds;
        var doy = weather.DayOfYear;
        var ghi = weather.GhiWm2;
        var dni = weather.DniWm2;
        var dhi = weather.DhiWm2;
        var temp = weather.TempAirC;
        var wind = weather.WindSpeedMs;
        var pressure = weather.PressurePa;
        var flags = weather.Flags;
        const int block = 128;
        Span<double> blockPressure = stackalloc double[block];
        Span<double> blockTemp = stackalloc double[block];
        Span<SolarPosition> blockSun = stackalloc SolarPosition[block];
        Span<WeatherFlags> blockFlags = stackalloc WeatherFlags[block];
        var lastDay = -1;
        var dniExtra = double.NaN;
        for (var start = 0; start < n; start += block)
        {
            var m = Math.Min(block, n - start);
            for (var j = 0; j < m; j++)
            {
                var i = start + j;
                blockFlags[j] = AtmosphereInputs(pressure[i], temp[i], flags[i], out blockPressure[j], out blockTemp[j]);
            }
            Spa.Compute(unix.Slice(start, m), Observer, blockPressure[..m], blockTemp[..m], blockSun[..m]);
            for (var j = 0; j < m; j++)
            {
                var i = start + j;
                if (doy[i] != lastDay)
                {
                    lastDay = doy[i];
                    dniExtra = Atmosphere.ExtraterrestrialSpencerWm2(lastDay);
                }
                steps[i] = Step(time[i], blockSun[j], dniExtra, ghi[i], dni[i], dhi[i], temp[i], wind[i], blockPressure[j], blockFlags[j], planes.Slice(i * p, p));
            }
        }
    }

    /// <summary>A clear-sky weather sample for an instant (Ineichen-Perez with the given Linke turbidity, pressure from the
    /// site altitude): what the agent feeds the chain when it has no forecast.</summary>
    public WeatherSample ClearSkySample(DateTimeOffset timeMid, double tempAirC = 20.0, double windSpeedMs = 1.0, double linkeTurbidity = 3.0)
    {
        var pressure = Site.DefaultPressurePa;
        var sun = Spa.Compute(timeMid, Observer, pressure, tempAirC);
        var airMass = Atmosphere.AbsoluteAirMass(Atmosphere.RelativeAirMassKastenYoung(sun.ApparentZenithDeg), pressure);
        var cs = ClearSky.Ineichen(sun.ApparentZenithDeg, airMass, linkeTurbidity, Site.AltitudeM, Atmosphere.ExtraterrestrialSpencerWm2(timeMid));
        return new WeatherSample(timeMid, cs.GhiWm2, cs.DniWm2, cs.DhiWm2, tempAirC, windSpeedMs, pressure);
    }

    /// <summary>One plane's physics from a known sun position and sky (the piece the learning features reuse).</summary>
    public PlaneStep PlaneResponse(int planeIndex, in SolarPosition sun, in HorizontalIrradiance sky, double dniExtraWm2, double airMassRelative,
        double tempAirC, double windSpeedMs) =>
        PlaneCore(planeIndex, sun, SunTrig.Of(sun), sky, dniExtraWm2, airMassRelative, tempAirC, windSpeedMs);

    /// <summary>Trigonometry of the sun shared by every plane of a step.</summary>
    private readonly record struct SunTrig(double CosZenith, double SinZenith, double ZenithRad)
    {
        public static SunTrig Of(in SolarPosition sun)
        {
            var z = sun.ApparentZenithDeg * (Math.PI / 180.0);
            var (sin, cos) = Math.SinCos(z);
            return new SunTrig(cos, sin, z);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private PlaneStep PlaneCore(int planeIndex, in SolarPosition sun, in SunTrig trig, in HorizontalIrradiance sky, double dniExtraWm2, double airMassRelative,
        double tempAirC, double windSpeedMs)
    {
        var plane = _planes[planeIndex];
        var (sinTilt, cosTilt) = (_sinTilt[planeIndex], _cosTilt[planeIndex]);
        var projection = Math.Clamp(
            cosTilt * trig.CosZenith + sinTilt * trig.SinZenith * Math.Cos((sun.AzimuthDeg - plane.AzimuthDeg) * (Math.PI / 180.0)), -1.0, 1.0);
        var aoi = Math.Acos(projection) * (180.0 / Math.PI);
        var poa = Transposition.Poa(Site.Transposition, cosTilt, sinTilt, projection, trig.CosZenith, trig.ZenithRad, sky, dniExtraWm2, airMassRelative, Site.Albedo);
        var shaded = plane.Horizon.BlocksBeam(sun.AzimuthDeg, sun.ApparentElevationDeg);
        if (shaded)
        {
            poa = poa with { DirectWm2 = 0.0 };
        }
        var iam = Iam.Modifier(Site.Iam, aoi);
        var effective = poa.DirectWm2 * iam + poa.DiffuseWm2;
        var cell = Site.CellTemperature.CellC(poa.GlobalWm2, tempAirC, windSpeedMs);
        var dc = PvWatts.DcPowerW(effective, cell, plane.DcCapacityW, plane.GammaPdcPerC);
        return new PlaneStep(aoi, iam, poa, effective, cell, dc, dc * _lossFactor, shaded);
    }

    /// <summary>Pressure and temperature for refraction: the row's, or the site altitude's pressure and 20 °C when missing (flagged).</summary>
    private WeatherFlags AtmosphereInputs(double pressure, double tempAir, WeatherFlags flags, out double pressureUsed, out double refractionTemp)
    {
        pressureUsed = pressure;
        if (double.IsNaN(pressureUsed))
        {
            pressureUsed = Site.DefaultPressurePa;
            flags |= WeatherFlags.PressureFromAltitude;
        }
        refractionTemp = tempAir;
        if (double.IsNaN(refractionTemp))
        {
            refractionTemp = 20.0;
            flags |= WeatherFlags.RefractionDefaults;
        }
        return flags;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ChainStep Step(DateTimeOffset timeMid, in SolarPosition sun, double dniExtra, double ghi, double dni, double dhi, double tempAir, double wind,
        double pressure, WeatherFlags flags, Span<PlaneStep> planes)
    {
        var amRel = Atmosphere.RelativeAirMassKastenYoung(sun.ApparentZenithDeg);
        var amAbs = Atmosphere.AbsoluteAirMass(amRel, pressure);
        if ((double.IsNaN(dni) || double.IsNaN(dhi)) && !double.IsNaN(ghi))
        {
            var erbs = Decomposition.Erbs(ghi, sun.ZenithDeg, dniExtra);
            dni = double.IsNaN(dni) ? erbs.DniWm2 : dni;
            dhi = double.IsNaN(dhi) ? erbs.DhiWm2 : dhi;
            flags |= WeatherFlags.DecompositionFilled;
        }
        if (double.IsNaN(tempAir) || double.IsNaN(wind))
        {
            tempAir = double.IsNaN(tempAir) ? MissingTempAirC : tempAir;
            wind = double.IsNaN(wind) ? MissingWindSpeedMs : wind;
            flags |= WeatherFlags.ThermalDefaults;
        }
        var sky = new HorizontalIrradiance(ghi, dni, dhi);
        var dcTotal = 0.0;
        var trig = SunTrig.Of(sun);
        for (var p = 0; p < _planes.Length; p++)
        {
            var ps = PlaneCore(p, sun, trig, sky, dniExtra, amRel, tempAir, wind);
            planes[p] = ps;
            dcTotal += ps.DcPowerW;
        }
        var inverter = PvWatts.Inverter(dcTotal, _pdc0InverterW, Site.Inverter.EtaNominal);
        return new ChainStep(timeMid, sun, dniExtra, amRel, amAbs, sky, tempAir, wind, pressure, dcTotal, inverter.AcPowerW, inverter.ClippedPowerW, flags);
    }
}
