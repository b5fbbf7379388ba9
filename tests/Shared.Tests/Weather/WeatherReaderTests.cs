using PvEdge.Shared.Cli;
using PvEdge.Shared.Weather;
using PvEdge.TestSupport;

namespace PvEdge.Shared.Tests.Weather;

public sealed class WeatherReaderTests
{
    private static string Data(string name) => RepoPaths.Shared("data/weather/" + name);

    [SkippableTheory]
    [InlineData("723170TYA.CSV", WeatherFormat.Tmy3, 8760)]
    [InlineData("test_read_psm3.csv", WeatherFormat.Psm3, 17520)]
    [InlineData("tmy_45.000_8.000_2005_2023.csv", WeatherFormat.PvgisTmy, 8760)]
    [InlineData("midc_raw_20181018.txt", WeatherFormat.MidcRaw, 1440)]
    public void Load_SharedWeatherFile_ReadsEveryRow(string file, WeatherFormat format, int rows)
    {
        var w = WeatherReader.Load(Data(file));

        Assert.Equal(format, w.Metadata.Format);
        Assert.Equal(rows, w.Count);
        Assert.Contains(w.GhiWm2.ToArray(), v => v > 100);
        Assert.DoesNotContain(w.TempAirC.ToArray(), double.IsNaN);
    }

    [SkippableFact]
    public void Load_Tmy3_UsesStationMetadataAndHourEndingStamps()
    {
        var w = WeatherReader.Load(Data("723170TYA.CSV"));

        Assert.Equal(36.1, w.Metadata.LatitudeDeg);
        Assert.Equal(-79.95, w.Metadata.LongitudeDeg);
        Assert.Equal(273, w.Metadata.AltitudeM);
        Assert.Equal(new DateTimeOffset(1990, 1, 1, 0, 30, 0, TimeSpan.FromHours(-5)), w.TimeMid[0]);
        Assert.Equal(new DateTimeOffset(1990, 12, 31, 23, 30, 0, TimeSpan.FromHours(-5)), w.TimeMid[^1]);
        Assert.Equal(99300.0, w.PressurePa[0]);
    }

    [SkippableFact]
    public void Load_Tmy3WithoutYearCoercion_KeepsSourceYears()
    {
        var w = WeatherReader.Load(Data("723170TYA.CSV"), new WeatherReadOptions(Tmy3Year: null));

        Assert.Equal(1988, w.TimeMid[0].Year);
    }

    [SkippableFact]
    public void Load_Psm3_ReadsMetadataAndPutsTheGeometryAtTheIntervalMidpoint()
    {
        var w = WeatherReader.Load(Data("test_read_psm3.csv"));

        Assert.Equal(40.53, w.Metadata.LatitudeDeg);
        Assert.Equal(2168, w.Metadata.AltitudeM);
        Assert.Equal(new DateTimeOffset(2017, 1, 1, 0, 15, 0, TimeSpan.FromHours(-7)), w.TimeMid[0]);
        Assert.Equal(77900.0, w.PressurePa[0]);
    }

    [SkippableFact]
    public void Load_PvgisTmy_ReadsUtcStampsAndPressureInPa()
    {
        var w = WeatherReader.Load(Data("tmy_45.000_8.000_2005_2023.csv"));

        Assert.Equal(45.0, w.Metadata.LatitudeDeg);
        Assert.Equal(250.0, w.Metadata.AltitudeM);
        Assert.Equal(new DateTimeOffset(2018, 1, 1, 0, 30, 0, TimeSpan.Zero), w.TimeMid[0]);
        Assert.Equal(99870.0, w.PressurePa[0]);
        Assert.Equal(0.75, w.WindSpeedMs[0]);
    }

    [SkippableFact]
    public void Load_MidcRaw_ReadsMountainStandardTimeAndMbarPressure()
    {
        var w = WeatherReader.Load(Data("midc_raw_20181018.txt"));

        Assert.Equal(TimeSpan.FromHours(-7), w.Metadata.UtcOffset);
        Assert.Equal(new DateTimeOffset(2018, 10, 17, 23, 59, 30, TimeSpan.FromHours(-7)), w.TimeMid[0]);
        Assert.Equal(92793.5, w.PressurePa[0], 6);
    }

    [SkippableFact]
    public void Parse_PlainCsvWithSentinelsAndNoPressure_MarksMissingValues()
    {
        string[] lines =
        [
            "time,ghi_wm2,dni_wm2,dhi_wm2,temp_air_c,wind_speed_ms",
            "2024-06-01T12:00:00+02:00,800,-9999,,25,NaN",
            "2024-06-01T12:15:00+02:00,-7999,600,100,25.5,2",
        ];

        var w = WeatherReader.Parse(lines, "w.csv");

        Assert.Equal(WeatherFormat.PlainCsv, w.Metadata.Format);
        Assert.Equal(new DateTimeOffset(2024, 6, 1, 12, 7, 30, TimeSpan.FromHours(2)), w.TimeMid[0]);
        Assert.Equal(new DateTimeOffset(2024, 6, 1, 12, 22, 30, TimeSpan.FromHours(2)), w.TimeMid[1]);
        Assert.True(double.IsNaN(w.DniWm2[0]) && double.IsNaN(w.DhiWm2[0]) && double.IsNaN(w.WindSpeedMs[0]) && double.IsNaN(w.GhiWm2[1]));
        Assert.Equal(WeatherFlags.DniMissing | WeatherFlags.DhiMissing | WeatherFlags.WindSpeedMissing | WeatherFlags.PressureMissing, w.Flags[0]);
        Assert.Equal(WeatherFlags.GhiMissing | WeatherFlags.PressureMissing, w.Flags[1]);
    }

    [SkippableFact]
    public void Parse_PlainCsvWithPressure_ReadsPascals()
    {
        string[] lines = ["time,ghi_wm2,dni_wm2,dhi_wm2,temp_air_c,wind_speed_ms,pressure_pa", "2024-06-01T10:00:00Z,500,400,100,20,1,95000.5"];

        var w = WeatherReader.Parse(lines, "w.csv");

        Assert.Equal(95000.5, w.PressurePa[0]);
        Assert.Equal(new DateTimeOffset(2024, 6, 1, 10, 30, 0, TimeSpan.Zero), w.TimeMid[0]);
    }

    [SkippableFact]
    public void Parse_PlainCsvMissingColumn_FailsNamingFileLineAndColumn()
    {
        string[] lines = ["time,ghi_wm2,dni_wm2,temp_air_c,wind_speed_ms", "2024-06-01T10:00:00Z,500,400,20,1"];

        var ex = Assert.Throws<InputException>(() => WeatherReader.Parse(lines, "w.csv"));

        Assert.Equal("w.csv: line 1: missing column \"dhi_wm2\"", ex.Message);
    }

    [SkippableFact]
    public void Parse_PlainCsvNonNumericCell_FailsNamingLineAndColumn()
    {
        string[] lines = ["time,ghi_wm2,dni_wm2,dhi_wm2,temp_air_c,wind_speed_ms", "2024-06-01T10:00:00Z,500,400,100,20,1", "2024-06-01T11:00:00Z,5o0,400,100,20,1"];

        var ex = Assert.Throws<InputException>(() => WeatherReader.Parse(lines, "w.csv"));

        Assert.Equal("w.csv: line 3, column 2 (ghi_wm2): expected a number, got \"5o0\"", ex.Message);
    }

    [SkippableFact]
    public void Parse_PlainCsvTimeWithoutOffset_Fails()
    {
        string[] lines = ["time,ghi_wm2,dni_wm2,dhi_wm2,temp_air_c,wind_speed_ms", "2024-06-01T10:00:00,500,400,100,20,1"];

        var ex = Assert.Throws<InputException>(() => WeatherReader.Parse(lines, "w.csv"));

        Assert.StartsWith("w.csv: line 2, column 1 (time): expected an ISO-8601 time with an offset", ex.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Parse_PlainCsvTimesGoingBackwards_Fails()
    {
        string[] lines = ["time,ghi_wm2,dni_wm2,dhi_wm2,temp_air_c,wind_speed_ms", "2024-06-01T11:00:00Z,500,400,100,20,1", "2024-06-01T10:00:00Z,500,400,100,20,1"];

        var ex = Assert.Throws<InputException>(() => WeatherReader.Parse(lines, "w.csv"));

        Assert.Contains("expected times to increase", ex.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Parse_Tmy3NonNumericCell_FailsNamingLineAndColumn()
    {
        var lines = File.ReadAllLines(Data("723170TYA.CSV")).Take(12).ToArray();
        var f = lines[10].Split(',');
        f[4] = "abc";
        lines[10] = string.Join(',', f);

        var ex = Assert.Throws<InputException>(() => WeatherReader.Parse(lines, "tmy.csv"));

        Assert.Equal("tmy.csv: line 11, column 5 (GHI (W/m^2)): expected a number, got \"abc\"", ex.Message);
    }

    [SkippableFact]
    public void Parse_Tmy3MissingColumn_FailsNamingTheColumn()
    {
        var lines = File.ReadAllLines(Data("723170TYA.CSV")).Take(5).ToArray();
        lines[1] = lines[1].Replace("Dry-bulb (C)", "Drybulb", StringComparison.Ordinal);

        var ex = Assert.Throws<InputException>(() => WeatherReader.Parse(lines, "tmy.csv"));

        Assert.Equal("tmy.csv: line 2: missing column \"Dry-bulb (C)\"", ex.Message);
    }

    [SkippableFact]
    public void Parse_UnknownFormat_FailsWithWhatWasExpected()
    {
        var ex = Assert.Throws<InputException>(() => WeatherReader.Parse(["a,b,c", "1,2,3"], "x.csv"));

        Assert.StartsWith("x.csv: line 1: unknown weather format (expected NREL TMY3", ex.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Load_MissingFile_FailsWithOneLine()
    {
        var ex = Assert.Throws<InputException>(() => WeatherReader.Load("/nonexistent/w.csv"));

        Assert.StartsWith("/nonexistent/w.csv: cannot read the weather file", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }
}
