using System.Globalization;
using PvEdge.EdgeAgent.Demo;
using PvEdge.EdgeAgent.Forecasting;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.EdgeAgent.Inference;
using PvEdge.EdgeAgent.Weather;
using PvEdge.Shared.Cli;

namespace PvEdge.EdgeAgent.Commands;

/// <summary><c>edgeagent forecast [--site S] [--weather W|demo] [--bundle B [--runner onnx|formulas] [--public-key K]] [--from T] [--hours N] [--json]</c>:
/// one forecast, printed. <c>--weather demo</c> is the demo's weather (clear sky × the stochastic clouds of <c>--cloud-seed</c>, 7 as in the demo).</summary>
public sealed class ForecastCommand : ICliCommand
{
    public string Name => "forecast";

    public string Usage => $"forecast {CommandModel.Usage} [--weather W|demo [--cloud-seed 7]] [--from T] [--hours 48] [--json] [--repeat N]  prints a one-shot forecast (clear sky without --weather)";

    public Task<int> RunAsync(CliArguments args, CliContext context, CancellationToken cancellationToken)
    {
        var model = CommandModel.Read(args);
        var weatherPath = args.Optional("weather");
        var cloudSeed = args.Int("cloud-seed", new WeatherOptions().CloudSeed);
        var fromText = args.Optional("from");
        var hours = args.Int("hours", 48, 1, 168);
        var json = args.Flag("json");
        var repeat = args.Int("repeat", 1, 1, 10_000);
        args.RejectUnknown();
        var models = model.Load("forecast", context.Error);
        var now = fromText is null ? context.Time.GetUtcNow()
            : DateTimeOffset.TryParse(fromText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var f) ? f
            : throw new InputException($"option --from: expected an ISO-8601 time, got '{fromText}'");
        var state = new WeatherState(models.ClearSky);
        if (weatherPath == Demo.DemoWeather.Name)
        {
            var w = new Demo.DemoWeather(models.ClearSky, cloudSeed).Forecast(now);
            state.Set(w, w);
        }
        else if (!string.IsNullOrEmpty(weatherPath))
        {
            var w = WeatherFiles.Load(weatherPath, now);
            if (fromText is null && !w.Covers(now, now + TimeSpan.FromHours(1)))
            {
                now = w.FromUtc;
            }
            state.Set(w, w.Step < TimeSpan.FromHours(1) ? w : null);
        }
        var engine = new ForecastEngine(models.Model, state, models.Site.TimeZone);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var forecast = engine.Hourly(now, hours);
        sw.Stop();
        if (repeat > 1)
        {
            // latency of one full forecast (48 h hourly + 6 h at 15 min), as the agent computes it
            var times = new List<double>(repeat);
            for (var i = 0; i < repeat; i++)
            {
                var t = System.Diagnostics.Stopwatch.StartNew();
                engine.Hourly(now, hours);
                engine.Intraday(now, 6, 0.9, 3);
                times.Add(t.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            context.Error.WriteLine($"edgeagent forecast: {repeat} full forecasts ({hours} h hourly + 6 h at 15 min, model {models.Model.Id} ({models.Model.Runner})): median {times[repeat / 2]:0.00} ms, min {times[0]:0.00} ms, first {sw.Elapsed.TotalMilliseconds:0.00} ms (hourly only, cold)");
        }
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
