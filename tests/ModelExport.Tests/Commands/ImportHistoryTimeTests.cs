using PvEdge.Shared.Features;

namespace PvEdge.ModelExport.Tests.Commands;

/// <summary>import-history's reading of logger times: naive wall-clock times with daylight saving time (--timezone), and times
/// that carry their own offset.</summary>
public sealed class ImportHistoryTimeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("import-time-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Csv(params string[] rows)
    {
        var path = Path.Combine(_dir, $"in-{Guid.NewGuid():N}.csv");
        File.WriteAllLines(path, ["t,p", .. rows]);
        return path;
    }

    private async Task<(int Code, string Error, History? History)> Import(string csv, params string[] options)
    {
        var output = Path.Combine(_dir, $"out-{Guid.NewGuid():N}.csv");
        var (code, _, error) = await ModelExportCli.Run(["import-history", "--csv", csv, "--map", "ac_power_w=p", "--out", output, .. options]);
        return (code, error, code == 0 ? History.Read(output) : null);
    }

    [Fact]
    public async Task Timezone_AutumnHourTwice_ReadAsSummerThenWinterTime()
    {
        // Europe/Berlin, 26 October 2025: at 03:00 CEST the clock goes back to 02:00 CET, so a logger writes 02:00 and 02:30 twice
        var csv = Csv("2025-10-26 01:30,1", "2025-10-26 02:00,2", "2025-10-26 02:30,3", "2025-10-26 02:00,4", "2025-10-26 02:30,5", "2025-10-26 03:00,6");

        var (code, error, history) = await Import(csv, "--timezone", "Europe/Berlin");

        Assert.True(code == 0, error);
        Assert.Equal(
            ["2025-10-25T23:30Z", "2025-10-26T00:00Z", "2025-10-26T00:30Z", "2025-10-26T01:00Z", "2025-10-26T01:30Z", "2025-10-26T02:00Z"],
            history!.Times.Select(t => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm'Z'", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal([1.0, 2, 3, 4, 5, 6], history.Column("ac_power_w")!);
        Assert.Equal([2, 2, 2, 1, 1, 1], history.Times.Select(t => t.Offset.Hours));
    }

    [Fact]
    public async Task Timezone_WallTimeTheClockJumpedOver_ExitsTwoNamingTheLine()
    {
        var csv = Csv("2025-03-30 01:30,1", "2025-03-30 02:30,2", "2025-03-30 03:30,3");

        var (code, error, _) = await Import(csv, "--timezone", "Europe/Berlin");

        Assert.Equal(2, code);
        Assert.Contains(":3: '2025-03-30 02:30' does not exist in Europe/Berlin", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--timezone", "Mars/Olympus", "option --timezone: 'Mars/Olympus' is not a time zone")]
    [InlineData("--utc-offset", "+01:00", "options --timezone and --utc-offset: give one of them")]
    public async Task Timezone_UnknownOrWithAnOffset_ExitsTwo(string option, string value, string message)
    {
        string[] options = option == "--timezone" ? [option, value] : ["--timezone", "Europe/Berlin", option, value];

        var (code, error, _) = await Import(Csv("2025-06-01 12:00,1", "2025-06-01 12:15,2"), options);

        Assert.Equal(2, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TimesWithTheirOwnOffset_KeepIt()
    {
        var csv = Csv("2025-06-01T12:00:00+02:00,1", "2025-06-01T12:15:00+02:00,2");

        var (code, error, history) = await Import(csv, "--utc-offset", "-07:00");

        Assert.True(code == 0, error);
        Assert.Equal(new DateTimeOffset(2025, 6, 1, 10, 0, 0, TimeSpan.Zero), history!.Times[0]);
    }
}
