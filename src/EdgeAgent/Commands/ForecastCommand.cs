using System.Globalization;
using PvEdge.EdgeAgent.Demo;
using PvEdge.EdgeAgent.Forecasting;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.EdgeAgent.Weather;
using PvEdge.Shared.Cli;

namespace PvEdge.EdgeAgent.Commands;

/// <summary><c>edgeagent forecast [--site S] [--weather W] [--bundle B] [--from T] [--hours N] [--json]</c>: one forecast, printed.</summary>
public sealed class ForecastCommand : ICliCommand
{
    public string Name => "forecast";

    public string Usage => "forecast [--site S] [--weather W] [--bundle B] [--from T] [--hours 48] [--json]  prints a one-shot forecast (clear sky without --weather)";

    public Task<int> RunAsync(CliArguments args, CliContext context, CancellationToken cancellationToken)
    {
        var sitePath = args.Optional("site");
        var weatherPath = args.Optional("weather");
        var bundle = args.Optional("bundle");
        var fromText = args.Optional("from");
        var hours = args.Int("hours", 48, 1, 168);
        var json = args.Flag("json");
        args.RejectUnknown();
        var models = DefaultSiteModels.ForSite(DefaultSiteModels.LoadSite(sitePath));
        if (!string.IsNullOrEmpty(bundle))
        {
            context.Error.WriteLine(Directory.Exists(bundle) || File.Exists(bundle)
                ? $"edgeagent forecast: bundle {bundle}: the bundle runners are not part of this build yet; using the physics model of the site"
                : $"edgeagent forecast: bundle {bundle} not found; using the physics model of the site");
        }
        var now = fromText is null ? context.Time.GetUtcNow()
            : DateTimeOffset.TryParse(fromText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var f) ? f
            : throw new InputException($"option --from: expected an ISO-8601 time, got '{fromText}'");
        var state = new WeatherState(models.ClearSky);
        if (!string.IsNullOrEmpty(weatherPath))
        {
            var w = WeatherFiles.Load(weatherPath, now);
            if (fromText is null && !w.Covers(now, now + TimeSpan.FromHours(1)))
            {
                now = w.FromUtc;
            }
            state.Set(w, w.Step < TimeSpan.FromHours(1) ? w : null);
        }
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var forecast = new ForecastEngine(models.Model, state, models.Site.TimeZone).Hourly(now, hours);
        sw.Stop();
        if (json)
        {
            context.Out.WriteLine(forecast.ToPayload("local", now));
        }
        else
        {
            var reporter = new ConsoleReporter(context.Out, new Acquisition.LiveState(), new ForecastState(), new Publishing.BrokerEndpoint("-", 0),
                new Publishing.Topics("pvedge", "local"), models.Site, context.Time, new WallClock(context.Time), 1);
            context.Out.Write(reporter.Table(forecast with { Points = forecast.Points }, sw.Elapsed.TotalMilliseconds, null));
            if (hours > 24)
            {
                context.Out.WriteLine($"  (table shows 24 of {hours} hours; --json prints all)");
            }
        }
        return Task.FromResult(0);
    }
}
