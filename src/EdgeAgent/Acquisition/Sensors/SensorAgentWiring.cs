using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PvEdge.EdgeAgent.Acquisition.Sensors.Simulation;
using PvEdge.Shared.Cli;

namespace PvEdge.EdgeAgent.Acquisition.Sensors;

/// <summary>The agent's <c>Sensors</c> configuration section: where the sensor list is and whether the twins stand in for the header.</summary>
public sealed class SensorHostOptions
{
    public const string Section = "Sensors";

    /// <summary>Path of the sensor-list JSON (<see cref="SensorOptions"/>, see sensors.example.json); empty = no local sensors.</summary>
    public string File { get; set; } = "";

    /// <summary>Read the simulated twins (following the agent's clock) instead of the Pi's buses; true in the demo.</summary>
    public bool Simulated { get; set; }
}

/// <summary>The sensors of a running agent: the sources in config order and the hardware they sit on. Disposing it disposes every
/// source first, then the hardware (which owns the shared GPIO controller).</summary>
public sealed class SensorSet : IDisposable
{
    private bool _disposed;

    public SensorSet(IReadOnlyList<SensorSource> sources, ISensorHardware? hardware)
    {
        Sources = sources ?? throw new ArgumentNullException(nameof(sources));
        Hardware = hardware;
    }

    public static SensorSet Empty { get; } = new([], null);

    public IReadOnlyList<SensorSource> Sources { get; }

    /// <summary>Null when no sensor is configured.</summary>
    public ISensorHardware? Hardware { get; }

    public void Dispose()
    {
        if (_disposed || ReferenceEquals(this, Empty))
        {
            return;
        }
        _disposed = true;
        foreach (var source in Sources)
        {
            source.Dispose();
        }
        Hardware?.Dispose();
    }
}

/// <summary>Hooks the sensors into the agent's host: <see cref="Check"/> at configuration time (run, check-config), <see cref="AddSensors"/>
/// when composing, <see cref="WithSensors"/> to put the sensor sources beside the inverter source(s).</summary>
public static class SensorAgentWiring
{
    /// <summary>How often the simulated twins catch up with the agent's clock (agent time: at --speed 1000 that is every millisecond).
    /// Edges are still played at their own instants, so pulse counts and S0 power are exact; readings lag the clock by at most this.</summary>
    public static readonly TimeSpan FollowPeriod = TimeSpan.FromSeconds(1);

    /// <summary>Reads and validates the configured sensor list; null when <c>Sensors:File</c> is empty. A bad file throws
    /// <see cref="InputException"/> with one line naming the key, the file and the problem (the CLI exits 2).</summary>
    public static SensorOptions? Check(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var host = Bind(configuration);
        if (string.IsNullOrWhiteSpace(host.File))
        {
            return null;
        }
        if (!System.IO.File.Exists(host.File))
        {
            throw new InputException($"configuration key '{SensorHostOptions.Section}:File' = '{host.File}': file not found");
        }
        try
        {
            var options = SensorOptions.Load(host.File);
            SensorValidation.Validate(options, host.File);
            return options;
        }
        catch (InputException ex)
        {
            throw new InputException($"configuration key '{SensorHostOptions.Section}:File': {ex.Message}");
        }
    }

    /// <summary>"none" or "3 (module-temp, air, poa) on simulated twins": for check-config.</summary>
    /// <param name="options">the sensor list as <see cref="Check"/> gave it</param>
    public static string Describe(IConfiguration configuration, SensorOptions? options)
    {
        if (options is null || options.Sensors.Count == 0)
        {
            return "none";
        }
        var where = Bind(configuration).Simulated ? "simulated twins" : "Raspberry Pi header";
        return $"{options.Sensors.Count} ({string.Join(", ", options.Sensors.Select(s => $"{s.Name} {SensorValidation.KindName(s.Kind)} {s.Wiring}"))}) on {where}";
    }

    /// <summary>Registers a <see cref="SensorSet"/> built on first use from the configured list, on the Pi's buses or, when
    /// <c>Sensors:Simulated</c>, on twins that follow the agent's <see cref="TimeProvider"/>. The container disposes it at shutdown.</summary>
    /// <param name="options">the sensor list as <see cref="Check"/> gave it</param>
    public static void AddSensors(IServiceCollection services, IConfiguration configuration, SensorOptions? options)
    {
        ArgumentNullException.ThrowIfNull(services);
        var simulated = Bind(configuration).Simulated;
        services.AddSingleton(sp => Create(options, simulated, sp.GetRequiredService<TimeProvider>()));
    }

    /// <summary>The sources of a configured list on real or simulated hardware; <see cref="SensorSet.Empty"/> without sensors.</summary>
    public static SensorSet Create(SensorOptions? options, bool simulated, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        if (options is null || options.Sensors.Count == 0)
        {
            return SensorSet.Empty;
        }
        ISensorHardware hardware = simulated ? new SimulatedSensorHardware(options, time, followPeriod: FollowPeriod) : new RaspberryPiSensorHardware(time);
        try
        {
            return new SensorSet(SensorSourceFactory.Create(options, hardware), hardware);
        }
        catch
        {
            hardware.Dispose();
            throw;
        }
    }

    /// <summary>The inverter source(s) followed by every sensor source, as the acquisition service polls them.</summary>
    public static List<IReadingSource> WithSensors(IServiceProvider services, IEnumerable<IReadingSource> inverters)
    {
        ArgumentNullException.ThrowIfNull(services);
        var list = inverters.ToList();
        list.AddRange(services.GetService<SensorSet>()?.Sources ?? []);
        return list;
    }

    private static SensorHostOptions Bind(IConfiguration configuration)
    {
        var o = new SensorHostOptions();
        configuration.GetSection(SensorHostOptions.Section).Bind(o);
        return o;
    }
}
