using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Demo;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.EdgeAgent.Weather;
using PvEdge.Shared.Weather;

namespace PvEdge.EdgeAgent.Anomalies;

/// <summary>One injected fault and what the detectors made of it.</summary>
public sealed record FaultOutcome(SimulatedFault Fault, string ExpectedType, AnomalyEvent? Detected, TimeSpan? Delay);

/// <summary>Result of a simulated period: each fault's outcome and the events that matched no fault.</summary>
public sealed record AnomalyEvaluationResult(int Days, IReadOnlyList<FaultOutcome> Faults, IReadOnlyList<AnomalyEvent> FalseEvents);

/// <summary>Runs the in-process simulated inverter (clear sky × clouds, with a fault schedule) minute by minute through the same
/// expected-power and detector code as the agent, against the demo's forecast weather, and scores detection.</summary>
public static class AnomalyEvaluation
{
    /// <summary>Which anomaly type should report each simulated fault.</summary>
    public static string ExpectedType(string fault) => fault switch
    {
        "string_loss" => AnomalyTypes.MpptImbalance,
        _ => fault,
    };

    /// <summary>A random daytime fault schedule: one fault every <paramref name="everyDays"/> days, 30 min to 3 h, between 9:00 and 15:00 local solar time.</summary>
    public static List<SimulatedFault> Schedule(DateTimeOffset startUtc, int days, double longitudeDeg, int seed, double everyDays = 3)
    {
        var rng = new Random(seed);
        string[] types = ["outage", "inverter_fault", "string_loss", "communication_lost"];
        var list = new List<SimulatedFault>();
        var solarOffset = TimeSpan.FromHours(longitudeDeg / 15);
        for (var d = 1.0; d < days - 1; d += everyDays)
        {
            var day = startUtc.UtcDateTime.Date.AddDays(Math.Floor(d));
            var start = new DateTimeOffset(day, TimeSpan.Zero) - solarOffset + TimeSpan.FromMinutes(9 * 60 + rng.Next(0, 5 * 60));
            var length = TimeSpan.FromMinutes(30 + rng.Next(0, 150));
            list.Add(new SimulatedFault(start, start + length, types[list.Count % types.Length]));
        }
        return list;
    }

    public static AnomalyEvaluationResult Run(SiteModels models, DateTimeOffset startUtc, int days, IReadOnlyList<SimulatedFault> faults, int cloudSeed, AnomalyOptions options)
    {
        var clock = new ManualClock(startUtc);
        var source = new SimulatedInverterSource(models.Model, models.ClearSky, clock, cloudSeed, TimeSpan.FromMinutes(1), faults);
        var weather = new WeatherState(models.ClearSky);
        var clouds = new StochasticCloudGenerator(cloudSeed);
        var expected = new ExpectedPower(models.Model, weather);
        var detector = new AnomalyDetector(options, "eval", models.Model.AcRatingW);
        var opened = new List<(AnomalyEvent Event, DateTimeOffset DetectedAt)>();
        var step = TimeSpan.FromMinutes(1);
        var end = startUtc.AddDays(days);
        DateTimeOffset? weatherDay = null;
        for (var t = startUtc; t < end; t += step)
        {
            if (weatherDay is null || t - weatherDay.Value >= TimeSpan.FromHours(6))
            {
                weatherDay = t;
                var points = Enumerable.Range(-1, 10 * 4).Select(i => WeatherState.CloudyWeather(models.ClearSky, clouds, ForecastFloor(t) + TimeSpan.FromMinutes(15 * i), TimeSpan.FromMinutes(15))).ToList();
                var f = new WeatherForecast(Demo.DemoWeather.Name, t, TimeSpan.FromMinutes(15), points);
                weather.Set(f, f);
            }
            clock.UtcNow = t + TimeSpan.FromSeconds(30);
            var readings = source.ReadAsync(CancellationToken.None).GetAwaiter().GetResult();
            var values = readings.ToDictionary(r => r.Quantity, r => r.Value, StringComparer.Ordinal);
            var record = new IntervalRecord(t, step, values, readings.Count(r => r.Value is not null));
            foreach (var e in detector.Process(expected.For(record)))
            {
                if (e.Open)
                {
                    opened.Add((e, t + step));
                }
            }
        }
        var used = new HashSet<string>(StringComparer.Ordinal);
        var outcomes = new List<FaultOutcome>();
        foreach (var f in faults)
        {
            var type = ExpectedType(f.Type);
            var match = opened.Where(o => o.Event.Type == type && o.Event.StartUtc >= f.StartUtc - TimeSpan.FromMinutes(15) && o.Event.StartUtc <= f.EndUtc && !used.Contains(o.Event.Id))
                .OrderBy(o => o.DetectedAt).FirstOrDefault();
            if (match.Event is not null)
            {
                used.Add(match.Event.Id);
            }
            outcomes.Add(new FaultOutcome(f, type, match.Event, match.Event is null ? null : match.DetectedAt - f.StartUtc));
        }
        // events during a fault window (secondary symptoms such as underperformance during a string loss) are not false events
        var falseEvents = opened.Where(o => !used.Contains(o.Event.Id) && !faults.Any(f => o.Event.StartUtc >= f.StartUtc - TimeSpan.FromMinutes(15) && o.Event.StartUtc <= f.EndUtc + TimeSpan.FromMinutes(30)))
            .Select(o => o.Event).ToList();
        return new AnomalyEvaluationResult(days, outcomes, falseEvents);
    }

    private static DateTimeOffset ForecastFloor(DateTimeOffset t) => new(t.UtcTicks - t.UtcTicks % TimeSpan.FromMinutes(15).Ticks, TimeSpan.Zero);
}
