using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Acquisition.SunSpec;
using PvEdge.EdgeAgent.Inference;
using PvEdge.EdgeAgent.Weather;
using PvEdge.InverterSimulator;
using PvEdge.InverterSimulator.Faults;
using PvEdge.InverterSimulator.Plant;
using PvEdge.Modbus.Client;
using PvEdge.Shared.Sites;
using PvEdge.Shared.Weather;

namespace PvEdge.EdgeAgent.Demo;

/// <summary>The demo's plant: the SunSpec inverter simulator (unit 1 inverter, unit 2 met station) serving Modbus TCP on a free
/// loopback port, driven by the physics under clear sky × the stochastic cloud process at the agent's clock, read by the agent
/// through a Modbus bridge and two SunSpec reading sources, as a real installation would be.</summary>
public sealed class DemoSimulator : IAsyncDisposable
{
    private readonly InverterSimulatorHost _host;
    private readonly ModbusBridge _bridge;

    private DemoSimulator(InverterSimulatorHost host, ModbusBridge bridge, IReadOnlyList<IReadingSource> sources)
    {
        _host = host;
        _bridge = bridge;
        Sources = sources;
    }

    public int Port => _host.Port;

    public IReadOnlyList<IReadingSource> Sources { get; }

    /// <param name="site">the plant</param>
    /// <param name="clearSky">clear sky of the site</param>
    /// <param name="plantClock">the agent's (possibly faster) clock</param>
    /// <param name="wallClock">real time, for Modbus timeouts</param>
    /// <param name="cloudSeed">seed of the plant's clouds (the demo forecast uses the same process, so forecasts are good but not perfect)</param>
    /// <param name="faults">demo faults (outage, inverter_fault, string_loss, communication_lost)</param>
    /// <param name="cadence">how often the agent reads the devices</param>
    public static DemoSimulator Start(Site site, IClearSkyModel clearSky, TimeProvider plantClock, TimeProvider wallClock, int cloudSeed,
        IReadOnlyList<SimulatedFault> faults, TimeSpan cadence)
    {
        var weather = CloudyWeather(site, clearSky, plantClock.GetUtcNow(), cloudSeed, days: 30);
        var host = InverterSimulatorHost.Start(new InverterSimulatorOptions
        {
            Plant = new PhysicsPlant(site, weather),
            Clock = plantClock,
            Port = 0,
            Faults = new FaultSchedule(faults.Select(ToSimulatorFault).ToList()),
            InitialEnergyKwh = 12_345,
        });
        var client = ModbusClient.ForTcp("127.0.0.1", host.Port, new ModbusClientOptions { Timeout = TimeSpan.FromSeconds(1), Retries = 1 }, wallClock);
        var bridge = new ModbusBridge(client, null, wallClock);
        IReadOnlyList<IReadingSource> sources =
        [
            new SunSpecReadingSource("inverter", bridge, [1], cadence, plantClock),
            new SunSpecReadingSource("met-station", bridge, [2], cadence, plantClock),
        ];
        return new DemoSimulator(host, bridge, sources);
    }

    /// <summary>The simulator fault that plays a demo fault.</summary>
    public static Fault ToSimulatorFault(SimulatedFault f) => f.Type switch
    {
        "outage" => new Fault(FaultKind.Outage, f.StartUtc, f.EndUtc),
        "inverter_fault" => new Fault(FaultKind.InverterFault, f.StartUtc, f.EndUtc),
        "string_loss" => new Fault(FaultKind.Mppt2Outage, f.StartUtc, f.EndUtc),
        "communication_lost" => new Fault(FaultKind.CommStall, f.StartUtc, f.EndUtc),
        _ => throw new Shared.Cli.InputException($"Demo:Faults: unknown fault '{f.Type}' (expected outage, inverter_fault, string_loss or communication_lost)"),
    };

    /// <summary><paramref name="days"/> days of 5-minute weather from the start day (and a day either side): clear sky × the cloud
    /// process (replayed periodically by the plant beyond them).</summary>
    public static WeatherSeries CloudyWeather(Site site, IClearSkyModel clearSky, DateTimeOffset startUtc, int seed, int days)
    {
        var clouds = new StochasticCloudGenerator(seed);
        var step = TimeSpan.FromMinutes(5);
        var day = new DateTimeOffset(startUtc.UtcDateTime.Date, TimeSpan.Zero).AddDays(-1);
        var rows = new List<WeatherSample>((days + 2) * 288);
        for (var t = day; t < day.AddDays(days + 2); t += step)
        {
            var w = WeatherState.CloudyWeather(clearSky, clouds, t, step);
            rows.Add(new WeatherSample(t + step / 2, w.GhiWm2, w.DniWm2, w.DhiWm2, w.TempAirC, w.WindSpeedMs));
        }
        return new WeatherSeries(new WeatherMetadata("clear sky x stochastic clouds", WeatherFormat.PlainCsv, site.LatitudeDeg, site.LongitudeDeg, site.AltitudeM, TimeSpan.Zero), rows);
    }

    public async ValueTask DisposeAsync()
    {
        await _bridge.DisposeAsync().ConfigureAwait(false);
        await _host.DisposeAsync().ConfigureAwait(false);
    }
}
