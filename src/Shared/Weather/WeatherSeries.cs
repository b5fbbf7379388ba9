using PvEdge.Shared.Physics;

namespace PvEdge.Shared.Weather;

/// <summary>What is known to be wrong or filled in one weather row.</summary>
[Flags]
public enum WeatherFlags : ushort
{
    /// <summary>Every value was read from the file.</summary>
    None = 0,

    /// <summary>GHI missing (sentinel, empty or NaN).</summary>
    GhiMissing = 1,

    /// <summary>DNI missing in the file.</summary>
    DniMissing = 2,

    /// <summary>DHI missing in the file.</summary>
    DhiMissing = 4,

    /// <summary>Air temperature missing.</summary>
    TempAirMissing = 8,

    /// <summary>Wind speed missing.</summary>
    WindSpeedMissing = 16,

    /// <summary>Pressure missing in the file (or the format has none).</summary>
    PressureMissing = 32,

    /// <summary>DNI and/or DHI were computed from GHI by the Erbs decomposition.</summary>
    DecompositionFilled = 64,

    /// <summary>Pressure was taken from the site altitude (standard atmosphere).</summary>
    PressureFromAltitude = 128,

    /// <summary>Air temperature or wind speed was missing and a neutral value (20 °C, 0 m/s) was used for refraction only.</summary>
    RefractionDefaults = 256,

    /// <summary>Air temperature or wind speed was missing and <see cref="Physics.PvSystemModel.MissingTempAirC"/> or
    /// <see cref="Physics.PvSystemModel.MissingWindSpeedMs"/> was used for the cell temperature (a history or forecast of GHI alone).</summary>
    ThermalDefaults = 512,
}

/// <summary>Weather file formats that <see cref="WeatherReader"/> understands.</summary>
public enum WeatherFormat
{
    /// <summary>NREL TMY3 CSV (hour-ending stamps, local standard time).</summary>
    Tmy3,

    /// <summary>NREL NSRDB PSM3 CSV (2-line metadata header, interval-start stamps).</summary>
    Psm3,

    /// <summary>JRC PVGIS TMY CSV (UTC stamps at the hour start).</summary>
    PvgisTmy,

    /// <summary>The plain CSV of formats.md (interval-start stamps with offset).</summary>
    PlainCsv,

    /// <summary>NREL MIDC raw data (Year, DOY, HHMM in local standard time, stamps mark the interval end).</summary>
    MidcRaw,
}

/// <summary>What a weather file says about itself. Location values are null when the format carries none.</summary>
public sealed record WeatherMetadata(string Source, WeatherFormat Format, double? LatitudeDeg, double? LongitudeDeg, double? AltitudeM, TimeSpan UtcOffset)
{
    /// <summary>Length of one interval (the step between rows), used to turn power into energy.</summary>
    public TimeSpan Step { get; init; } = TimeSpan.FromHours(1);
}

/// <summary>One weather interval as the physics chain consumes it: interval averages and the instant at which the sun
/// geometry is computed (the interval midpoint). Missing values are NaN; <see cref="PressurePa"/> NaN means "use the site altitude".</summary>
/// <param name="TimeMid">Interval midpoint with the file's UTC offset (kept for output; physics uses the instant).</param>
/// <param name="GhiWm2">Global horizontal irradiance.</param>
/// <param name="DniWm2">Direct normal irradiance (NaN: filled by Erbs).</param>
/// <param name="DhiWm2">Diffuse horizontal irradiance (NaN: filled by Erbs).</param>
/// <param name="TempAirC">Air temperature.</param>
/// <param name="WindSpeedMs">Wind speed.</param>
/// <param name="PressurePa">Air pressure (NaN: from altitude).</param>
/// <param name="Flags">What the reader found missing.</param>
public readonly record struct WeatherSample(DateTimeOffset TimeMid, double GhiWm2, double DniWm2, double DhiWm2, double TempAirC, double WindSpeedMs,
    double PressurePa = double.NaN, WeatherFlags Flags = WeatherFlags.None);

/// <summary>A weather time series held column-wise for allocation-free span loops. Rows are interval averages; geometry is
/// computed at <see cref="TimeMid"/>. Read one with <see cref="WeatherReader.Load(string)"/> or build one from samples.</summary>
public sealed class WeatherSeries
{
    private readonly DateTimeOffset[] _timeMid;
    private readonly double[] _unixMid;
    private readonly int[] _dayOfYear;
    private readonly double[] _ghi;
    private readonly double[] _dni;
    private readonly double[] _dhi;
    private readonly double[] _temp;
    private readonly double[] _wind;
    private readonly double[] _pressure;
    private readonly WeatherFlags[] _flags;

    /// <summary>Builds a series from rows; <paramref name="metadata"/> describes where they came from.</summary>
    public WeatherSeries(WeatherMetadata metadata, IReadOnlyList<WeatherSample> rows)
    {
        Metadata = metadata;
        var n = rows.Count;
        _timeMid = new DateTimeOffset[n];
        _unixMid = new double[n];
        _dayOfYear = new int[n];
        _ghi = new double[n];
        _dni = new double[n];
        _dhi = new double[n];
        _temp = new double[n];
        _wind = new double[n];
        _pressure = new double[n];
        _flags = new WeatherFlags[n];
        for (var i = 0; i < n; i++)
        {
            var r = rows[i];
            _timeMid[i] = r.TimeMid;
            _unixMid[i] = Spa.UnixSeconds(r.TimeMid);
            _dayOfYear[i] = Atmosphere.DayOfYearUtc(r.TimeMid);
            _ghi[i] = r.GhiWm2;
            _dni[i] = r.DniWm2;
            _dhi[i] = r.DhiWm2;
            _temp[i] = r.TempAirC;
            _wind[i] = r.WindSpeedMs;
            _pressure[i] = r.PressurePa;
            _flags[i] = r.Flags | Missing(r);
        }
    }

    /// <summary>Source file, format, location and offset.</summary>
    public WeatherMetadata Metadata { get; }

    /// <summary>Number of rows.</summary>
    public int Count => _timeMid.Length;

    /// <summary>Interval midpoints, with the file's offset.</summary>
    public ReadOnlySpan<DateTimeOffset> TimeMid => _timeMid;

    /// <summary>Interval midpoints as Unix seconds.</summary>
    public ReadOnlySpan<double> UnixMidSeconds => _unixMid;

    /// <summary>Day of year of each midpoint in UTC (drives Spencer's extraterrestrial irradiance, as in the pvlib reference).</summary>
    public ReadOnlySpan<int> DayOfYear => _dayOfYear;

    /// <summary>GHI, W/m² (NaN = missing).</summary>
    public ReadOnlySpan<double> GhiWm2 => _ghi;

    /// <summary>DNI, W/m² (NaN = missing).</summary>
    public ReadOnlySpan<double> DniWm2 => _dni;

    /// <summary>DHI, W/m² (NaN = missing).</summary>
    public ReadOnlySpan<double> DhiWm2 => _dhi;

    /// <summary>Air temperature, °C (NaN = missing).</summary>
    public ReadOnlySpan<double> TempAirC => _temp;

    /// <summary>Wind speed, m/s (NaN = missing).</summary>
    public ReadOnlySpan<double> WindSpeedMs => _wind;

    /// <summary>Pressure, Pa (NaN = missing or absent from the format).</summary>
    public ReadOnlySpan<double> PressurePa => _pressure;

    /// <summary>Per-row flags.</summary>
    public ReadOnlySpan<WeatherFlags> Flags => _flags;

    /// <summary>Row <paramref name="index"/> as a sample.</summary>
    public WeatherSample this[int index] =>
        new(_timeMid[index], _ghi[index], _dni[index], _dhi[index], _temp[index], _wind[index], _pressure[index], _flags[index]);

    private static WeatherFlags Missing(in WeatherSample r)
    {
        var f = WeatherFlags.None;
        if (double.IsNaN(r.GhiWm2))
        {
            f |= WeatherFlags.GhiMissing;
        }
        if (double.IsNaN(r.DniWm2))
        {
            f |= WeatherFlags.DniMissing;
        }
        if (double.IsNaN(r.DhiWm2))
        {
            f |= WeatherFlags.DhiMissing;
        }
        if (double.IsNaN(r.TempAirC))
        {
            f |= WeatherFlags.TempAirMissing;
        }
        if (double.IsNaN(r.WindSpeedMs))
        {
            f |= WeatherFlags.WindSpeedMissing;
        }
        if (double.IsNaN(r.PressurePa))
        {
            f |= WeatherFlags.PressureMissing;
        }
        return f;
    }
}
