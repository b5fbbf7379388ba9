using System.Text;
using PvEdge.ModelExport.Simulation;
using PvEdge.Shared.Cli;
using PvEdge.Shared.Physics;
using PvEdge.Shared.Weather;

namespace PvEdge.ModelExport.Commands;

/// <summary><c>modelexport simulate --site S --weather W --out F [--summary]</c>: runs the physics chain of a site over a
/// weather file and writes the CSV of formats.md; <c>--summary</c> also prints the energy totals.</summary>
public sealed class SimulateCommand : ICliCommand
{
    /// <inheritdoc />
    public string Name => "simulate";

    /// <inheritdoc />
    public string Usage => "simulate --site S --weather W --out F [--summary]  runs the PV physics chain (pvlib PVWatts equivalent) over a weather file";

    /// <inheritdoc />
    public async Task<int> RunAsync(CliArguments args, CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        var weatherPath = args.Required("weather");
        var options = SiteCommandOptions.Read(args);
        var outPath = options.Output;
        var summary = args.Flag("summary");
        args.RejectUnknown();

        var site = options.LoadSite();
        var weather = WeatherReader.Load(weatherPath);
        if (weather.Metadata is { LatitudeDeg: { } lat, LongitudeDeg: { } lon } && (Math.Abs(lat - site.LatitudeDeg) > 1 || Math.Abs(lon - site.LongitudeDeg) > 1))
        {
            context.Error.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"warning: {weatherPath} is for {lat:F2}, {lon:F2} but the site is at {site.LatitudeDeg:F2}, {site.LongitudeDeg:F2}; using the site's location"));
        }
        cancellationToken.ThrowIfCancellationRequested();
        var result = new PvSystemModel(site).Run(weather);

        try
        {
            options.CreateOutputFolder();
            await using var stream = new FileStream(outPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false));
            SimulationCsv.Write(writer, site, result);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputException($"{outPath}: cannot write the output ({ex.Message})");
        }

        context.Out.WriteLine($"{outPath}: {weather.Count} rows, {site.Planes.Count} plane(s), {weather.Metadata.Format} weather");
        if (summary)
        {
            foreach (var line in SimulationSummary.From(site, result, weather.Metadata.Step).Lines(site))
            {
                context.Out.WriteLine(line);
            }
        }
        return 0;
    }
}
