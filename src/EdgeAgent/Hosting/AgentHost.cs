using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Acquisition.Devices;
using PvEdge.EdgeAgent.Anomalies;
using PvEdge.EdgeAgent.Demo;
using PvEdge.EdgeAgent.Forecasting;
using PvEdge.EdgeAgent.Inference;
using PvEdge.EdgeAgent.Models;
using PvEdge.EdgeAgent.Publishing;
using PvEdge.EdgeAgent.Storage;
using PvEdge.EdgeAgent.Weather;

namespace PvEdge.EdgeAgent.Hosting;

/// <summary>The site and its models: where it is, its clear sky, and the power model in use.
/// <paramref name="Notes"/> are fallbacks taken while loading (a missing or invalid bundle), logged at start.</summary>
public sealed record SiteModels(SiteContext Site, IClearSkyModel ClearSky, IPowerModel Model, IReadOnlyList<string>? Notes = null);

/// <summary>How to build the host: the CLI fills the file and speed; tests also swap clocks, sources and the site.</summary>
public sealed class AgentHostSettings
{
    public string? ConfigFile { get; init; }

    /// <summary>Demo mode (embedded broker, simulated inverter, console); null = when nothing configures the agent.</summary>
    public bool? Demo { get; init; }

    public double? Speed { get; init; }

    /// <summary>Settings above every source (tests).</summary>
    public IReadOnlyDictionary<string, string?>? Overrides { get; init; }

    public string AppFolder { get; init; } = AppContext.BaseDirectory;

    /// <summary>The plant clock; null = the system clock (scaled by the speed in the demo).</summary>
    public TimeProvider? Time { get; init; }

    /// <summary>The network clock; null = the system clock.</summary>
    public TimeProvider? WallTime { get; init; }

    /// <summary>Replaces the configured reading sources.</summary>
    public Func<IServiceProvider, IEnumerable<IReadingSource>>? Sources { get; init; }

    /// <summary>Replaces loading the site file and the model.</summary>
    public Func<AgentSetup, SiteModels>? SiteModels { get; init; }

    public TextWriter ConsoleOut { get; init; } = Console.Out;

    /// <summary>Log to the console (off in tests that read the output).</summary>
    public bool ConsoleLogging { get; init; } = true;
}

/// <summary>What composition learned before building: effective options, demo or not, warnings (unknown keys), and the logger factory.</summary>
public sealed record AgentSetup(IConfiguration Configuration, bool Demo, GatewayOptions Gateway, ModelOptions Model, DemoOptions DemoOptions, MqttOptions Mqtt,
    IReadOnlyList<string> Warnings, IReadOnlyList<ConfiguredDevice> Devices, Acquisition.Sensors.SensorOptions? Sensors);

/// <summary>Composes the Generic Host: configuration, validated options, systemd integration, the stage services and their channels.</summary>
public static class AgentHost
{
    public static string Version => typeof(AgentHost).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>Where the shipped default bundle sits beside the program (copied there by the build and the publish from models/).</summary>
    public static string DefaultBundlePath(string appFolder) => Path.Combine(appFolder, "models", "default");

    /// <summary>The public key the shipped default bundle is signed with.</summary>
    public static string DefaultBundleKey(string appFolder) => Path.Combine(appFolder, "models", "default.pub");

    /// <summary>The settings of the demo (lowest priority: any file or variable overrides them): embedded broker, simulated plant, the
    /// shipped default bundle on its compiled formulas with the learned nets (our engine) in shadow, so ONNX Runtime is not loaded and
    /// the demo stays within 100 MB resident (physics when the bundle is missing or refused, with one log line), and the demo's weather
    /// service pushing clear sky × stochastic clouds over MQTT. <c>Model:Runner=onnx</c> runs the same bundle on ONNX Runtime.</summary>
    public static IReadOnlyDictionary<string, string?> DemoDefaults(string appFolder) => new Dictionary<string, string?>
    {
        ["Demo:EmbeddedBroker"] = "true",
        ["Demo:Console"] = "true",
        ["Demo:Speed"] = "1",
        ["Demo:WeatherFeed"] = "true",
        ["Weather:Source"] = "mqtt",
        ["Acquisition:Simulated"] = "true",
        ["Model:BundlePath"] = DefaultBundlePath(appFolder),
        ["Model:PublicKeyFile"] = DefaultBundleKey(appFolder),
        ["Model:Runner"] = "formulas",
        ["Model:Shadow"] = "engine",
        ["Sensors:Simulated"] = "true",
    };

    /// <summary>Reads and checks the configuration: unknown keys become warnings, invalid values an <see cref="Shared.Cli.InputException"/> naming the key.</summary>
    public static AgentSetup Configure(AgentHostSettings settings)
    {
        var demo = settings.Demo ?? AgentConfiguration.IsUnconfigured(settings.ConfigFile, settings.AppFolder);
        var builder = new ConfigurationBuilder();
        AgentConfiguration.AddSources(builder, settings.ConfigFile, settings.AppFolder, demo ? DemoDefaults(settings.AppFolder) : null);
        if (settings.Overrides is not null)
        {
            builder.AddInMemoryCollection(settings.Overrides);
        }
        if (settings.Speed is { } speed)
        {
            builder.AddInMemoryCollection(new Dictionary<string, string?> { ["Demo:Speed"] = speed.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }
        IConfiguration configuration;
        try
        {
            configuration = builder.Build();
        }
        catch (InvalidDataException ex)
        {
            throw new Shared.Cli.InputException($"configuration: {ex.GetBaseException().Message}");
        }
        catch (FormatException ex)
        {
            throw new Shared.Cli.InputException($"configuration: {ex.Message}");
        }
        var warnings = AgentConfiguration.UnknownKeys(configuration).Select(AgentConfiguration.DescribeUnknown).ToList();
        foreach (var (section, type) in AgentConfiguration.Sections)
        {
            Validate(configuration, section, type);
        }
        var sensors = Acquisition.Sensors.SensorAgentWiring.Check(configuration);
        var devices = DeviceAgentWiring.Check(configuration);
        warnings.AddRange(DeviceAgentWiring.Warnings(configuration, devices, sensors));
        return new AgentSetup(configuration, demo, Bind<GatewayOptions>(configuration, GatewayOptions.Section), Bind<ModelOptions>(configuration, ModelOptions.Section),
            Bind<DemoOptions>(configuration, DemoOptions.Section), Bind<MqttOptions>(configuration, MqttOptions.Section), warnings, devices, sensors);
    }

    private static T Bind<T>(IConfiguration configuration, string section) where T : new()
    {
        var o = new T();
        configuration.GetSection(section).Bind(o);
        return o;
    }

    /// <summary>Binds and validates one section now, so check-config and start-up fail with one line naming the key.</summary>
    private static void Validate(IConfiguration configuration, string section, Type type)
    {
        var instance = Activator.CreateInstance(type)!;
        try
        {
            configuration.GetSection(section).Bind(instance);
        }
        catch (InvalidOperationException ex)
        {
            throw new Shared.Cli.InputException($"configuration {section}: {ex.GetBaseException().Message}");
        }
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(instance, new ValidationContext(instance), results, validateAllProperties: true))
        {
            var r = results[0];
            var key = r.MemberNames.FirstOrDefault() ?? "?";
            var value = type.GetProperty(key)?.GetValue(instance);
            throw new Shared.Cli.InputException($"configuration key '{section}:{key}' = '{value}': {r.ErrorMessage}");
        }
    }

    /// <summary>The gateway id: configured, else the machine id, else the host name (letters, digits, '-', '_').</summary>
    public static string GatewayId(GatewayOptions options)
    {
        if (!string.IsNullOrEmpty(options.Id))
        {
            return options.Id;
        }
        var id = File.Exists("/etc/machine-id") ? File.ReadAllText("/etc/machine-id").Trim() : "";
        if (id.Length >= 12)
        {
            return id[..12];
        }
        var host = new string(Environment.MachineName.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_').ToArray());
        return host.Length > 0 ? host : "gateway";
    }

    /// <summary>Builds the host (does not start it).</summary>
    public static IHost Build(AgentHostSettings settings, AgentSetup setup)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Configuration = new ConfigurationManager() });
        builder.Configuration.AddConfiguration(setup.Configuration);
        builder.Logging.ClearProviders();
        if (settings.ConsoleLogging)
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
                o.UseUtcTimestamp = true;
            });
        }
        builder.Logging.AddConfiguration(setup.Configuration.GetSection("Logging"));
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        builder.Services.AddSystemd();

        var s = builder.Services;
        AddOptions<GatewayOptions>(s, GatewayOptions.Section);
        AddOptions<MqttOptions>(s, MqttOptions.Section);
        AddOptions<AcquisitionOptions>(s, AcquisitionOptions.Section);
        AddOptions<StorageOptions>(s, StorageOptions.Section);
        AddOptions<WeatherOptions>(s, WeatherOptions.Section);
        AddOptions<ModelOptions>(s, ModelOptions.Section);
        AddOptions<ForecastOptions>(s, ForecastOptions.Section);
        AddOptions<AnomalyOptions>(s, AnomalyOptions.Section);
        AddOptions<DemoOptions>(s, DemoOptions.Section);

        var demo = setup.DemoOptions;
        var wall = settings.WallTime ?? TimeProvider.System;
        var clockStart = ClockStart(demo, setup.Demo, wall.GetUtcNow());
        var time = settings.Time ?? (clockStart is { } cs ? new ScaledTimeProvider(TimeProvider.System, cs, demo.Speed) : TimeProvider.System);
        s.AddSingleton(time);
        s.AddSingleton(new WallClock(wall));
        s.AddSingleton(new PipelineHealth(wall));
        s.AddSingleton(SystemdNotifySettings.FromProcess());
        s.AddHostedService<SystemdWatchdog>();
        s.AddHostedService<MemoryHousekeeping>();

        var mqtt = setup.Mqtt;
        var gateway = GatewayId(setup.Gateway);
        var topics = new Topics(setup.Gateway.Prefix, gateway, mqtt.HomeAssistantPrefix);
        s.AddSingleton(topics);
        var endpoint = new BrokerEndpoint(mqtt.Host, mqtt.Port);
        if (demo.EmbeddedBroker)
        {
            endpoint.Host = "127.0.0.1";
            s.AddHostedService(sp => new EmbeddedBroker(endpoint, sp.GetRequiredService<ILogger<EmbeddedBroker>>()));
        }
        s.AddSingleton(endpoint);

        var storage = Bind<StorageOptions>(setup.Configuration, StorageOptions.Section);
        var dbPath = DatabasePath(storage, setup.Demo);
        s.AddSingleton(sp => AgentDatabase.Open(dbPath, storage.OutboxMaxMessages, storage.OutboxMaxMb * 1024L * 1024, wall.GetUtcNow(),
            message => AgentLog.StorageMovedAside(sp.GetRequiredService<ILogger<AgentDatabase>>(), message)));

        var models = (settings.SiteModels ?? DefaultSiteModels.Load)(setup);
        var modelStart = ModelStoreStart.Open(ModelStore.Create(setup.Model, dbPath, !string.IsNullOrEmpty(storage.Path), setup.Demo), setup.Model,
            setup.Gateway.SiteFile, models, time.GetUtcNow());
        models = modelStart.Models;
        s.AddSingleton(models);
        s.AddSingleton(models.Site);
        s.AddSingleton(models.ClearSky);
        s.AddSingleton(modelStart);
        s.AddSingleton(modelStart.Slot);
        s.AddSingleton<IPowerModel>(modelStart.Slot);

        s.AddSingleton<StageChannels>();
        s.AddSingleton<LiveState>();
        s.AddSingleton<ForecastState>();
        s.AddSingleton<WeatherInbox>();
        s.AddSingleton<WeatherState>();
        s.AddSingleton(sp => new PublishQueue(sp.GetRequiredService<AgentDatabase>(), sp.GetRequiredService<TimeProvider>()));

        var acquisition = Bind<AcquisitionOptions>(setup.Configuration, AcquisitionOptions.Section);
        var weather = Bind<WeatherOptions>(setup.Configuration, WeatherOptions.Section);
        if (settings.Sources is not null)
        {
            s.AddSingleton(sp => settings.Sources(sp).ToList());
        }
        else
        {
            s.AddSingleton(sp =>
            {
                var t = sp.GetRequiredService<TimeProvider>();
                var faults = ParseFaults(demo.Faults, t.GetUtcNow());
                var cadence = TimeSpan.FromSeconds(acquisition.SimulatedCadenceS);
                if (!acquisition.Simulated)
                {
                    return sp.GetRequiredService<ModbusDeviceSet>().Sources.ToList();
                }
                if (acquisition.Simulator == "in-process")
                {
                    return new List<IReadingSource> { new SimulatedInverterSource(models.Model, models.ClearSky, t, weather.CloudSeed, cadence, faults) };
                }
                var site = models.Model is PhysicsPowerModel p ? p.Site : models.Model is BundlePowerModel b ? b.Bundle.Site : DefaultSiteModels.LoadSite(null);
                var simulator = DemoSimulator.Start(site, models.ClearSky, t, sp.GetRequiredService<WallClock>().Time, weather.CloudSeed, faults, cadence);
                sp.GetRequiredService<DemoSimulatorHolder>().Simulator = simulator;
                return simulator.Sources.ToList();
            });
            s.AddSingleton<DemoSimulatorHolder>();
            DeviceAgentWiring.AddDevices(s, setup.Devices);
        }
        Acquisition.Sensors.SensorAgentWiring.AddSensors(s, setup.Configuration, setup.Sensors);
        s.AddSingleton<IEnumerable<IReadingSource>>(sp => Acquisition.Sensors.SensorAgentWiring.WithSensors(sp, sp.GetRequiredService<List<IReadingSource>>()));

        s.AddSingleton<MqttPublisherService>();
        s.AddHostedService(sp => sp.GetRequiredService<MqttPublisherService>());
        s.AddHostedService<AcquisitionService>();
        s.AddHostedService<RecorderService>();
        s.AddHostedService<WeatherService>();
        s.AddHostedService<ForecastService>();
        s.AddSingleton<OpenFaults>();
        s.AddSingleton<AnomalyService>();
        s.AddHostedService(sp => sp.GetRequiredService<AnomalyService>());
        if (demo.WeatherFeed)
        {
            s.AddHostedService(sp => new DemoWeatherFeed(endpoint, topics, new DemoWeather(models.ClearSky, weather.CloudSeed),
                TimeSpan.FromMinutes(weather.RefreshMinutes), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<WallClock>(),
                sp.GetRequiredService<ILogger<DemoWeatherFeed>>()));
        }
        s.AddHostedService(sp => new StartupAnnouncer(sp, setup, topics, mqtt));
        s.AddSingleton<ModelValidator>();
        if (modelStart.Store is not null)
        {
            s.AddHostedService<ModelStoreService>();
        }
        if (setup.Model.Retune)
        {
            s.AddHostedService<RetuneService>();
        }
        if (demo.Console)
        {
            s.AddHostedService(sp => new ConsoleReporter(settings.ConsoleOut, sp.GetRequiredService<LiveState>(), sp.GetRequiredService<ForecastState>(),
                endpoint, topics, models.Site, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<WallClock>(), demo.Speed,
                () => sp.GetRequiredService<DemoSimulatorHolder>().Simulator is { } sim
                    ? $"SunSpec inverter simulator on Modbus TCP 127.0.0.1:{sim.Port}"
                    : acquisition.Simulated ? "in-process simulated inverter (no Modbus)" : "configured devices"));
        }
        return builder.Build();
    }

    private static void AddOptions<T>(IServiceCollection services, string section) where T : class
    {
        services.AddOptions<T>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
    }

    /// <summary>Which of a host's stages (its background services, <paramref name="stages"/> taken before it runs: running it disposes
    /// its services) ended with an exception. The host stops when one does; <c>run</c> then names it and exits 1, so that systemd's
    /// journal, <c>Restart=on-failure</c> and scripts see a failure (it exited 0).</summary>
    public static IReadOnlyList<(string Stage, Exception Error)> FaultedStages(IEnumerable<IHostedService> stages)
    {
        ArgumentNullException.ThrowIfNull(stages);
        return [.. stages.OfType<BackgroundService>()
            .Where(s => s.ExecuteTask is { IsFaulted: true })
            .Select(s => (s.GetType().Name, s.ExecuteTask!.Exception!.GetBaseException()))];
    }

    /// <summary>The demo starts its simulated clock at 15:00 UTC of the current day (10:00 or 11:00 at the demo site), so the console shows production at once.</summary>
    public static DateTimeOffset DemoStart(DateTimeOffset nowUtc) => new DateTimeOffset(nowUtc.UtcDateTime.Date, TimeSpan.Zero) + TimeSpan.FromHours(15);

    /// <summary>Where the plant clock starts, or null for the plain system clock (no demo, speed 1, no start given).</summary>
    public static DateTimeOffset? ClockStart(DemoOptions demo, bool isDemo, DateTimeOffset nowUtc)
    {
        if (!string.IsNullOrEmpty(demo.StartUtc))
        {
            return DateTimeOffset.TryParse(demo.StartUtc, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var t)
                ? t
                : throw new Shared.Cli.InputException($"configuration key 'Demo:StartUtc' = '{demo.StartUtc}': expected an ISO-8601 time");
        }
        if (isDemo)
        {
            return DemoStart(nowUtc);
        }
        return demo.Speed != 1 ? nowUtc : null;
    }

    /// <summary>Parses Demo:Faults ("type@startMin+durationMin;...") relative to the clock start.</summary>
    public static List<SimulatedFault> ParseFaults(string text, DateTimeOffset startUtc)
    {
        var list = new List<SimulatedFault>();
        foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var at = part.IndexOf('@', StringComparison.Ordinal);
            var plus = part.IndexOf('+', StringComparison.Ordinal);
            var from = int.Parse(part[(at + 1)..plus], System.Globalization.CultureInfo.InvariantCulture);
            var minutes = int.Parse(part[(plus + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            list.Add(new SimulatedFault(startUtc + TimeSpan.FromMinutes(from), startUtc + TimeSpan.FromMinutes(from + minutes), part[..at]));
        }
        return list;
    }

    /// <summary>The database the agent opens: <c>Storage:Path</c>, else <see cref="DefaultDatabasePath"/>.</summary>
    public static string DatabasePath(AgentSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        return DatabasePath(Bind<StorageOptions>(setup.Configuration, StorageOptions.Section), setup.Demo);
    }

    /// <inheritdoc cref="DatabasePath(AgentSetup)"/>
    public static string DatabasePath(StorageOptions storage, bool demo)
    {
        ArgumentNullException.ThrowIfNull(storage);
        return string.IsNullOrEmpty(storage.Path) ? DefaultDatabasePath(demo) : storage.Path;
    }

    public static string DefaultDatabasePath(bool demo)
    {
        if (demo)
        {
            return Path.Combine(Path.GetTempPath(), $"edgeagent-demo-{Environment.ProcessId}.db");
        }
        if (Directory.Exists("/var/lib/edgeagent"))
        {
            return "/var/lib/edgeagent/edgeagent.db";
        }
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "edgeagent", "edgeagent.db");
    }
}

/// <summary>Owns the demo simulator so the container disposes it at shutdown.</summary>
internal sealed class DemoSimulatorHolder : IAsyncDisposable
{
    public DemoSimulator? Simulator { get; set; }

    public ValueTask DisposeAsync() => Simulator?.DisposeAsync() ?? ValueTask.CompletedTask;
}

/// <summary>Logs the configuration warnings and the start line, publishes the model topic and Home Assistant discovery.</summary>
internal sealed class StartupAnnouncer : IHostedService
{
    private readonly IServiceProvider _services;
    private readonly AgentSetup _setup;
    private readonly Topics _topics;
    private readonly MqttOptions _mqtt;

    public StartupAnnouncer(IServiceProvider services, AgentSetup setup, Topics topics, MqttOptions mqtt)
    {
        _services = services;
        _setup = setup;
        _topics = topics;
        _mqtt = mqtt;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var logger = _services.GetRequiredService<ILoggerFactory>().CreateLogger("edgeagent");
        foreach (var w in _setup.Warnings)
        {
            AgentLog.ConfigurationWarning(logger, w);
        }
        foreach (var note in _services.GetRequiredService<SiteModels>().Notes ?? [])
        {
            AgentLog.BundleFallback(logger, _setup.Model.BundlePath, note);
        }
        var endpoint = _services.GetRequiredService<BrokerEndpoint>();
        var slot = _services.GetRequiredService<ModelSlot>();
        var model = slot.Current;
        var weather = _services.GetRequiredService<IOptions<WeatherOptions>>().Value;
        AgentLog.Starting(logger, AgentHost.Version, _topics.Gateway, endpoint.Host, endpoint.Port, weather.Source, $"{model.Id} ({model.Runner})", _setup.DemoOptions.Speed);
        var queue = _services.GetRequiredService<PublishQueue>();
        var time = _services.GetRequiredService<TimeProvider>();
        queue.PublishRetained(_topics.Model, ModelTopic.Payload(_topics.Gateway, time.GetUtcNow(), slot));
        if (_mqtt.HomeAssistant)
        {
            queue.PublishRetained(_topics.HomeAssistantDiscovery, HomeAssistantDiscovery.Payload(_topics, AgentHost.Version));
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
