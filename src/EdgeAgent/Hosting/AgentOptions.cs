using System.ComponentModel.DataAnnotations;

namespace PvEdge.EdgeAgent.Hosting;

/// <summary>Who this gateway is on the MQTT bus.</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>Gateway id used in every topic; empty = the machine id (or the host name).</summary>
    [RegularExpression("^[A-Za-z0-9_-]*$", ErrorMessage = "Gateway:Id may hold letters, digits, '-' and '_' only")]
    public string Id { get; set; } = "";

    [Required]
    [RegularExpression("^[A-Za-z0-9_/-]+$", ErrorMessage = "Gateway:Prefix may hold letters, digits, '-', '_' and '/' only")]
    public string Prefix { get; set; } = "pvedge";

    /// <summary>Path of the site file (JSON of formats.md); empty = the embedded demo site.</summary>
    public string SiteFile { get; set; } = "";
}

/// <summary>The broker connection (one owner: the publisher service).</summary>
public sealed class MqttOptions
{
    public const string Section = "Mqtt";

    [Required]
    public string Host { get; set; } = "127.0.0.1";

    [Range(1, 65535)]
    public int Port { get; set; } = 1883;

    public bool Tls { get; set; }

    /// <summary>PEM file of the CA that signed the broker's certificate (TLS only).</summary>
    public string CaFile { get; set; } = "";

    /// <summary>PEM file of the gateway's own certificate, for brokers that require client certificates (TLS only; AWS IoT and
    /// many utility brokers do). Empty = none.</summary>
    public string CertFile { get; set; } = "";

    /// <summary>PEM file of the private key of <see cref="CertFile"/>; empty = the key is in CertFile. Never logged.</summary>
    public string KeyFile { get; set; } = "";

    /// <summary>A file with two lines: user name, password. Never logged.</summary>
    public string CredentialsFile { get; set; } = "";

    /// <summary>Client id; empty = "edgeagent-&lt;gateway&gt;".</summary>
    public string ClientId { get; set; } = "";

    [Range(0.1, 3600)]
    public double ReconnectMinS { get; set; } = 1;

    [Range(0.1, 3600)]
    public double ReconnectMaxS { get; set; } = 60;

    [Range(1, 3600)]
    public int KeepAliveS { get; set; } = 30;

    /// <summary>MQTT protocol version: "auto" (MQTT 5, and 3.1.1 when the broker turns 5 away, as RabbitMQ before 3.13 and other
    /// 3.1.1-only brokers do; kept for as long as the agent runs once it connected), "5" or "3.1.1".</summary>
    [RegularExpression("^(auto|5|3\\.1\\.1)$", ErrorMessage = "Mqtt:Protocol must be auto, 5 or 3.1.1")]
    public string Protocol { get; set; } = "auto";

    /// <summary>How long the broker keeps the gateway's session (its subscriptions and the QoS 1 messages sent to it, such as a
    /// pushed weather forecast) after the connection drops; 0 = the session ends with the connection. MQTT 5 only: a 3.1.1 broker
    /// keeps a session until the gateway comes back.</summary>
    [Range(0, 604800)]
    public int SessionExpiryS { get; set; } = 3600;

    /// <summary>Publish Home Assistant device discovery.</summary>
    public bool HomeAssistant { get; set; } = true;

    [Required]
    public string HomeAssistantPrefix { get; set; } = "homeassistant";
}

/// <summary>How often devices are read and how readings are aggregated.</summary>
public sealed class AcquisitionOptions
{
    public const string Section = "Acquisition";

    /// <summary>A reading older than this is stale and counts as missing.</summary>
    [Range(1, 3600)]
    public double StaleAfterS { get; set; } = 30;

    /// <summary>Read a simulated plant (the demo, tests) instead of the configured <see cref="Devices"/>; true with devices listed is
    /// refused at start.</summary>
    public bool Simulated { get; set; } = true;

    /// <summary>Which simulated plant: "modbus" (the SunSpec inverter simulator on a loopback port, read over Modbus TCP) or
    /// "in-process" (a fake source without Modbus, for fast tests).</summary>
    [RegularExpression("^(modbus|in-process)$", ErrorMessage = "Acquisition:Simulator must be modbus or in-process")]
    public string Simulator { get; set; } = "modbus";

    [Range(1, 3600)]
    public double SimulatedCadenceS { get; set; } = 5;

    /// <summary>The Modbus devices read when <see cref="Simulated"/> is false (checked by <see cref="Acquisition.Devices.DeviceValidation"/>).</summary>
    public List<Acquisition.Devices.ModbusDeviceOptions> Devices { get; set; } = [];
}

/// <summary>The SQLite database: history and the outbox.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>Database file; empty = edgeagent.db in the user's data folder (or /var/lib/edgeagent when it exists).</summary>
    public string Path { get; set; } = "";

    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 400;

    /// <summary>At most this many messages wait in the outbox; beyond it the oldest telemetry is dropped first.</summary>
    [Range(100, 10_000_000)]
    public int OutboxMaxMessages { get; set; } = 200_000;

    /// <summary>At most this many MB (topic + payload) wait in the outbox (a week of 1-minute telemetry is about 7 MB); beyond it the
    /// oldest telemetry is dropped first, counted and logged.</summary>
    [Range(1, 4096)]
    public int OutboxMaxMb { get; set; } = 64;
}

/// <summary>Where weather forecasts come from.</summary>
public sealed class WeatherOptions
{
    public const string Section = "Weather";

    /// <summary>open-meteo (HTTP), mqtt (pushed on the weather input topic) or clear-sky: the names forecasts carry in weather_source.
    /// The demo uses mqtt, fed by its own weather service (<see cref="DemoOptions.WeatherFeed"/>).</summary>
    [RegularExpression("^(open-meteo|mqtt|clear-sky)$", ErrorMessage = "Weather:Source must be open-meteo, mqtt or clear-sky (the demo's clouds arrive over mqtt)")]
    public string Source { get; set; } = "clear-sky";

    [Url]
    public string BaseUrl { get; set; } = "https://api.open-meteo.com/v1/forecast";

    [Range(1, 1440)]
    public int RefreshMinutes { get; set; } = 60;

    [Range(1, 600)]
    public int TimeoutS { get; set; } = 20;

    /// <summary>Seed of the demo's cloud process (its plant and its weather feed).</summary>
    public int CloudSeed { get; set; } = 7;
}

/// <summary>The model bundle and the runner.</summary>
public sealed class ModelOptions
{
    public const string Section = "Model";

    /// <summary>Bundle folder; empty = the physics chain of the site (PVWatts).</summary>
    public string BundlePath { get; set; } = "";

    [RegularExpression("^(onnx|formulas|physics)$", ErrorMessage = "Model:Runner must be onnx, formulas or physics")]
    public string Runner { get; set; } = "onnx";

    /// <summary>The runner in shadow, whose disagreement is reported on the model topic: auto (ONNX Runtime, or the formulas when ONNX
    /// answers), onnx, formulas, engine (our own forward pass) or none. formulas + engine never loads ONNX Runtime (less memory).</summary>
    [RegularExpression("^(auto|onnx|formulas|engine|none)$", ErrorMessage = "Model:Shadow must be auto, onnx, formulas, engine or none")]
    public string Shadow { get; set; } = "auto";

    /// <summary>PEM public key the bundle's signature must verify against; empty accepts unsigned bundles (hashes are still checked).</summary>
    public string PublicKeyFile { get; set; } = "";

    /// <summary>Model store (verified versions, the <c>current</c> pointer, rejected bundles); empty = <c>models/</c> beside the database
    /// (the state directory), none in the demo unless set. See <see cref="Models.ModelStore"/>.</summary>
    public string StoreDir { get; set; } = "";

    /// <summary>Drop folder watched for new bundles (a folder or a .zip written by <c>modelexport export</c>); empty = <c>incoming/</c> in the store.</summary>
    public string DropDir { get; set; } = "";

    /// <summary>How often the drop folder is looked at (wall-clock seconds); a bundle is taken once it is unchanged between two looks.</summary>
    [Range(0.1, 3600)]
    public double PollSeconds { get; set; } = 10;

    /// <summary>Days of recent history a new bundle is validated on.</summary>
    [Range(1, 365)]
    public int ValidationDays { get; set; } = 3;

    /// <summary>Daylight 15-minute intervals with measured AC power needed to compare a new bundle with the model in use; with fewer,
    /// a verified bundle whose outputs are sane is accepted on verification alone (and said so).</summary>
    [Range(1, 100_000)]
    public int ValidationMinIntervals { get; set; } = 16;

    /// <summary>A new bundle is refused when its daylight mean absolute error on recent history exceeds this times the current model's
    /// (plus 2 % of the AC rating).</summary>
    [Range(1.0, 100.0)]
    public double MaxErrorRatio { get; set; } = 1.25;

    /// <summary>Daylight 15-minute intervals with measured AC power after a swap during which the new bundle is on probation.</summary>
    [Range(1, 100_000)]
    public int ProbationIntervals { get; set; } = 24;

    /// <summary>At the end of probation the swap is rolled back when the new bundle's live daylight mean absolute error exceeds this times the
    /// previous model's over the same intervals (plus 2 % of the AC rating).</summary>
    [Range(1.0, 100.0)]
    public double RollbackErrorRatio { get; set; } = 1.5;

    /// <summary>Fine-tune the bundle's model again every night on the site's recent history, from the foundation the bundle carries
    /// (<see cref="Models.RetuneService"/>); a bundle without one is used as it is.</summary>
    public bool Retune { get; set; } = true;

    /// <summary>Days of recent history the nightly fine-tuning uses.</summary>
    [Range(2, 90)]
    public int RetuneDays { get; set; } = 14;

    /// <summary>Local hour (site time zone) from which the nightly fine-tuning runs.</summary>
    [Range(0, 23)]
    public int RetuneLocalHour { get; set; } = 1;
}

/// <summary>Forecast cadence.</summary>
public sealed class ForecastOptions
{
    public const string Section = "Forecast";

    [Range(1, 1440)]
    public int RecomputeMinutes { get; set; } = 60;

    [Range(1, 168)]
    public int HourlyHorizonH { get; set; } = 48;

    [Range(1, 48)]
    public int IntradayHorizonH { get; set; } = 6;

    /// <summary>How many hours the measured clear-sky index takes to fade into the weather forecast.</summary>
    [Range(0.25, 24)]
    public double BlendHours { get; set; } = 3;
}

/// <summary>Anomaly detection thresholds.</summary>
public sealed class AnomalyOptions
{
    public const string Section = "Anomalies";

    /// <summary>Detection only while the expected power exceeds this share of the AC rating (suppresses dawn, dusk, night).</summary>
    [Range(0.0, 1.0)]
    public double MinExpectedFraction { get; set; } = 0.10;

    /// <summary>Minutes a condition must hold before an event opens (and be absent before it closes).</summary>
    [Range(1, 240)]
    public int DebounceMinutes { get; set; } = 10;

    /// <summary>Measured below this share of expected is underperformance.</summary>
    [Range(0.0, 1.0)]
    public double UnderperformanceRatio { get; set; } = 0.7;

    /// <summary>Measured below this share of expected (while expected is well above zero) is an outage.</summary>
    [Range(0.0, 1.0)]
    public double OutageRatio { get; set; } = 0.05;

    /// <summary>Minutes without any good reading before communication_lost opens.</summary>
    [Range(1, 1440)]
    public int CommunicationLostMinutes { get; set; } = 5;

    /// <summary>A sustained performance loss above this rate (% of the baseline performance ratio per year) is degradation.</summary>
    [Range(0.1, 50.0)]
    public double DegradationThresholdPctPerYear { get; set; } = 2.0;

    /// <summary>The baseline performance ratio is the median of the valid (clear-ish, fault-free) days in this many first days.</summary>
    [Range(7, 365)]
    public int DegradationBaselineDays { get; set; } = 28;

    /// <summary>The current performance ratio is the median of the valid days in this many last days.</summary>
    [Range(7, 365)]
    public int DegradationWindowDays { get; set; } = 28;

    /// <summary>No degradation verdict before the valid days span this many days (a year: shorter spans can mistake a season for a trend).</summary>
    [Range(30, 3650)]
    public int DegradationMinDays { get; set; } = 365;

    /// <summary>The rate must stay above the threshold on this many consecutive valid days before the event opens.</summary>
    [Range(1, 365)]
    public int DegradationSustainDays { get; set; } = 14;
}

/// <summary>The demo: simulated clock speed and the embedded broker.</summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";

    /// <summary>Simulated seconds per real second.</summary>
    [Range(1, 100_000)]
    public double Speed { get; set; } = 1;

    /// <summary>Start an embedded MQTT broker on 127.0.0.1 (port Mqtt:Port, or a free one when taken).</summary>
    public bool EmbeddedBroker { get; set; }

    /// <summary>Print live readings and the forecast table to the console.</summary>
    public bool Console { get; set; }

    /// <summary>Where the simulated clock starts (ISO-8601); empty = real time, or in the demo 15:00 UTC of today (late morning at the demo site).</summary>
    public string StartUtc { get; set; } = "";

    /// <summary>Faults the simulated inverter plays, relative to the clock start: "outage@30+20;string_loss@120+60" (type@startMin+durationMin).
    /// Types: outage, inverter_fault, string_loss, communication_lost.</summary>
    [RegularExpression(@"^$|^([a-z_]+@\d+\+\d+)(;[a-z_]+@\d+\+\d+)*$", ErrorMessage = "Demo:Faults must look like 'outage@30+20;string_loss@120+60'")]
    public string Faults { get; set; } = "";

    /// <summary>Run the demo's outside weather service: an MQTT client that pushes clear sky × the stochastic clouds (Weather:CloudSeed)
    /// to the agent's input topic, retained, every Weather:RefreshMinutes (use with Weather:Source mqtt).</summary>
    public bool WeatherFeed { get; set; }
}
