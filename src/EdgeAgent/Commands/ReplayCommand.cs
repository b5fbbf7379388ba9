using PvEdge.EdgeAgent.Anomalies;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.EdgeAgent.Inference;
using PvEdge.EdgeAgent.Storage;
using PvEdge.EdgeAgent.Weather;
using PvEdge.Shared.Cli;

namespace PvEdge.EdgeAgent.Commands;

/// <summary><c>edgeagent replay --history H [--site S] [--bundle B [--runner onnx|formulas] [--public-key K]] [--gateway G]</c>: runs the anomaly detectors over a history CSV and prints
/// one JSON line per event (the anomaly payload of formats.md): closed events as they close, events still open at the end of the file last.</summary>
public sealed class ReplayCommand : ICliCommand
{
    public string Name => "replay";

    public string Usage => $"replay --history H {CommandModel.Usage} [--gateway G]  runs the anomaly detectors over a history CSV, prints events as JSON lines";

    public Task<int> RunAsync(CliArguments args, CliContext context, CancellationToken cancellationToken)
    {
        var history = args.Required("history");
        var model = CommandModel.Read(args);
        var gateway = args.Optional("gateway", "replay");
        args.RejectUnknown();
        var models = model.Load("replay", context.Error);
        var records = HistoryCsv.Read(history);
        var weather = new WeatherState(models.ClearSky);
        var step = records[0].Step;
        var hasWeather = records.Any(r => r.Get("ghi_wm2") is not null);
        if (hasWeather)
        {
            var points = records.Select(r => r.Get("ghi_wm2") is { } ghi
                    ? new WeatherPoint(r.StartUtc, ghi, r.Get("dni_wm2") ?? double.NaN, r.Get("dhi_wm2") ?? double.NaN, r.Get("temp_air_c") ?? 20, r.Get("wind_speed_ms") ?? 1)
                    : WeatherState.ClearSkyWeather(models.ClearSky, r.StartUtc, step))
                .ToList();
            var w = new WeatherForecast("history", records[0].StartUtc, step, points);
            weather.Set(w, w);
        }
        var expected = new ExpectedPower(models.Model, weather);
        var detector = new AnomalyDetector(new AnomalyOptions(), gateway, models.Model.AcRatingW);
        var count = 0;
        foreach (var r in records)
        {
            foreach (var e in detector.Process(expected.For(WithModuleTemperature(r))))
            {
                if (!e.Open)
                {
                    context.Out.WriteLine(e.ToPayload(gateway, e.EndUtc ?? e.StartUtc));
                    count++;
                }
            }
        }
        foreach (var e in detector.OpenEvents.OrderBy(e => e.StartUtc))
        {
            context.Out.WriteLine(e.ToPayload(gateway, records[^1].EndUtc));
            count++;
        }
        context.Error.WriteLine($"edgeagent replay: {records.Count} interval(s) of {step.TotalMinutes:0} min, expected power from {(records.Any(r => r.Get("poa_wm2") is not null) ? "measured POA" : hasWeather ? "the history's weather columns" : "clear sky")}, {count} event(s)");
        return Task.FromResult(0);
    }

    /// <summary>A POA sensor without a module thermometer: module temperature estimated from air temperature (+3 °C per 100 W/m²).</summary>
    private static Acquisition.IntervalRecord WithModuleTemperature(Acquisition.IntervalRecord r)
    {
        if (r.Get("poa_wm2") is not { } poa || r.Get("temp_module_c") is not null)
        {
            return r;
        }
        var values = new Dictionary<string, double?>(r.Values, StringComparer.Ordinal) { ["temp_module_c"] = (r.Get("temp_air_c") ?? 20) + 0.03 * poa };
        return r with { Values = values };
    }
}
