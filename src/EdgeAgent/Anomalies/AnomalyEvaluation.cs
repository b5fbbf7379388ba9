using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Acquisition.SunSpec;
using PvEdge.EdgeAgent.Demo;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.EdgeAgent.Weather;
using PvEdge.InverterSimulator;
using PvEdge.InverterSimulator.Faults;
using PvEdge.InverterSimulator.Plant;
using PvEdge.Modbus.Client;
using PvEdge.Shared.Sites;
using PvEdge.Shared.Weather;

namespace PvEdge.EdgeAgent.Anomalies;

/// <summary>One injected fault and what the detectors made of it.</summary>
public sealed record FaultOutcome(SimulatedFault Fault, string ExpectedType, AnomalyEvent? Detected, TimeSpan? Delay);

/// <summary>Result of a simulated period: each fault's outcome and the events that matched no fault.</summary>
public sealed record AnomalyEvaluationResult(double Days, IReadOnlyList<FaultOutcome> Faults, IReadOnlyList<AnomalyEvent> FalseEvents);

/// <summary>Scores the detectors on simulated time with a fault schedule, stepping the clock as fast as it computes. Two plants:
/// <see cref="Run"/> reads the in-process simulated inverter minute by minute; <see cref="RunModbusAsync"/> goes through the real
/// acquisition path: the SunSpec inverter simulator (inverter and met station, faults from a simulator schedule) serving Modbus TCP on
/// loopback, read by the agent's SunSpec reading sources through a Modbus bridge at a fixed simulated cadence, aggregated to minutes by
/// the agent's interval aggregator. Both feed the same expected-power and detector code as the agent, against the demo's forecast
/// weather (and, through Modbus, the met station's measured POA and module temperature).</summary>
public static class AnomalyEvaluation
{
    /// <summary>Which anomaly type should report each simulated fault.</summary>
    public static string ExpectedType(string fault) => fault switch
    {
        "string_loss" => AnomalyTypes.MpptImbalance,
        _ => fault,
    };

    /// <summary>The fault type (as in <see cref="SimulatedFault"/>) that a simulator fault plays.</summary>
    public static SimulatedFault FromSimulatorFault(Fault f) => new(f.Start, f.End, f.Kind switch
    {
        FaultKind.Mppt2Outage => "string_loss",
        FaultKind.InverterFault => AnomalyTypes.InverterFault,
        FaultKind.Outage => AnomalyTypes.Outage,
        FaultKind.CommStall or FaultKind.MalformedReplies => AnomalyTypes.CommunicationLost,
        FaultKind.Throttle => f.LimitPct <= 0 ? AnomalyTypes.Outage : AnomalyTypes.Underperformance,
        FaultKind.FrozenSensor => AnomalyTypes.SensorStuck,
        FaultKind.Degradation => AnomalyTypes.Degradation,
        _ => f.Kind.ToString(),
    });

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
        var detectors = new Detectors(models, cloudSeed, options);
        var step = TimeSpan.FromMinutes(1);
        var end = startUtc.AddDays(days);
        for (var t = startUtc; t < end; t += step)
        {
            clock.UtcNow = t + TimeSpan.FromSeconds(30);
            var readings = source.ReadAsync(CancellationToken.None).GetAwaiter().GetResult();
            var values = readings.ToDictionary(r => r.Quantity, r => r.Value, StringComparer.Ordinal);
            detectors.Process(new IntervalRecord(t, step, values, readings.Count(r => r.Value is not null)));
        }
        return Score(days, faults, detectors.Opened);
    }

    /// <summary>The simulated period through Modbus: the inverter simulator plays <paramref name="schedule"/> under clear sky × the cloud
    /// process (seed <paramref name="cloudSeed"/>), the agent's SunSpec sources read it every <paramref name="cadence"/> of simulated time.</summary>
    /// <param name="requestTimeout">Modbus reply timeout (real time); a stalled simulator costs this much per attempt</param>
    public static async Task<AnomalyEvaluationResult> RunModbusAsync(SiteModels models, Site site, DateTimeOffset startUtc, double days, FaultSchedule schedule,
        int cloudSeed, AnomalyOptions options, TimeSpan cadence, TimeSpan requestTimeout, CancellationToken cancellationToken)
    {
        var clock = new ManualClock(startUtc);
        var weather = DemoSimulator.CloudyWeather(site, models.ClearSky, startUtc, cloudSeed, (int)Math.Ceiling(days));
        await using var host = InverterSimulatorHost.Start(new InverterSimulatorOptions
        {
            Plant = new PhysicsPlant(site, weather), Clock = clock, Port = 0, Faults = schedule, InitialEnergyKwh = 12_345,
        });
        // replies time out in real time; the bridge sets a failing unit aside in simulated time (as the agent does at its own clock)
        var client = ModbusClient.ForTcp("127.0.0.1", host.Port, new ModbusClientOptions { Timeout = requestTimeout, Retries = 0 }, TimeProvider.System);
        await using var bridge = new ModbusBridge(client, new ModbusBridgeOptions { SetAsideFor = TimeSpan.FromMinutes(5) }, clock);
        IReadingSource[] sources =
        [
            new SunSpecReadingSource("inverter", bridge, [host.Options.InverterUnitId], cadence, clock),
            new SunSpecReadingSource("met-station", bridge, [host.Options.MetUnitId], cadence, clock),
        ];
        var minutes = new IntervalAggregator(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(new AcquisitionOptions().StaleAfterS));
        var detectors = new Detectors(models, cloudSeed, options);
        var end = startUtc + TimeSpan.FromDays(days);
        for (var t = startUtc; t < end; t += cadence)
        {
            clock.UtcNow = t;
            foreach (var record in minutes.Close(t))
            {
                detectors.Process(record);
            }
            foreach (var source in sources)
            {
                foreach (var reading in await source.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    minutes.Add(reading, t);
                }
            }
        }
        foreach (var record in minutes.Close(end))
        {
            detectors.Process(record);
        }
        return Score(days, schedule.Faults.Select(FromSimulatorFault).ToList(), detectors.Opened);
    }

    /// <summary>Matches opened events to faults: the first event of the fault's type that started between 15 minutes before the fault and
    /// its end. Events during a fault window (secondary symptoms such as underperformance during a string loss) or up to 30 minutes after
    /// it are not false events, nor is an event of severity info (clipping: the plant held at its limit is a state, not a fault).</summary>
    private static AnomalyEvaluationResult Score(double days, IReadOnlyList<SimulatedFault> faults, List<(AnomalyEvent Event, DateTimeOffset DetectedAt)> opened)
    {
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
        var falseEvents = opened.Where(o => o.Event.Severity != "info" && !used.Contains(o.Event.Id) && !faults.Any(f => o.Event.StartUtc >= f.StartUtc - TimeSpan.FromMinutes(15) && o.Event.StartUtc <= f.EndUtc + TimeSpan.FromMinutes(30)))
            .Select(o => o.Event).ToList();
        return new AnomalyEvaluationResult(days, outcomes, falseEvents);
    }

    /// <summary>The agent's anomaly stage without the host: the demo's forecast weather (renewed every 6 simulated hours), expected
    /// power and the detectors; keeps every opened event with the time it was known (the end of the interval that opened it).</summary>
    private sealed class Detectors
    {
        private readonly SiteModels _models;
        private readonly WeatherState _weather;
        private readonly StochasticCloudGenerator _clouds;
        private readonly ExpectedPower _expected;
        private readonly AnomalyDetector _detector;
        private DateTimeOffset? _weatherAt;

        public Detectors(SiteModels models, int cloudSeed, AnomalyOptions options)
        {
            _models = models;
            _weather = new WeatherState(models.ClearSky);
            _clouds = new StochasticCloudGenerator(cloudSeed);
            _expected = new ExpectedPower(models.Model, _weather);
            _detector = new AnomalyDetector(options, "eval", models.Model.AcRatingW);
        }

        public List<(AnomalyEvent Event, DateTimeOffset DetectedAt)> Opened { get; } = [];

        public void Process(IntervalRecord record)
        {
            var t = record.StartUtc;
            if (_weatherAt is null || t - _weatherAt.Value >= TimeSpan.FromHours(6))
            {
                _weatherAt = t;
                var points = Enumerable.Range(-1, 10 * 4)
                    .Select(i => WeatherState.CloudyWeather(_models.ClearSky, _clouds, ForecastFloor(t) + TimeSpan.FromMinutes(15 * i), TimeSpan.FromMinutes(15))).ToList();
                var f = new WeatherForecast(Demo.DemoWeather.Name, t, TimeSpan.FromMinutes(15), points);
                _weather.Set(f, f);
            }
            foreach (var e in _detector.Process(_expected.For(record)))
            {
                if (e.Open)
                {
                    Opened.Add((e, record.EndUtc));
                }
            }
        }
    }

    private static DateTimeOffset ForecastFloor(DateTimeOffset t) => new(t.UtcTicks - t.UtcTicks % TimeSpan.FromMinutes(15).Ticks, TimeSpan.Zero);
}
