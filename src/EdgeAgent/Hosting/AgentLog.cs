using Microsoft.Extensions.Logging;

namespace PvEdge.EdgeAgent.Hosting;

/// <summary>Every log line of the agent, source-generated, with stable event ids (1xx host, 2xx acquisition, 3xx storage,
/// 4xx publishing, 5xx weather, 6xx forecasting, 7xx anomalies, 8xx models). Secrets are never logged.</summary>
internal static partial class AgentLog
{
    [LoggerMessage(100, LogLevel.Warning, "{Message}")]
    public static partial void ConfigurationWarning(ILogger logger, string message);

    [LoggerMessage(101, LogLevel.Information, "edgeagent {Version} starting: gateway {Gateway}, broker {Host}:{Port}, weather {WeatherSource}, model {Model}, clock speed x{Speed}")]
    public static partial void Starting(ILogger logger, string version, string gateway, string host, int port, string weatherSource, string model, double speed);

    [LoggerMessage(102, LogLevel.Information, "embedded MQTT broker listening on 127.0.0.1:{Port}")]
    public static partial void EmbeddedBrokerStarted(ILogger logger, int port);

    [LoggerMessage(103, LogLevel.Warning, "port {Wanted} is taken; the embedded broker uses {Port} instead")]
    public static partial void EmbeddedBrokerPortTaken(ILogger logger, int wanted, int port);

    [LoggerMessage(200, LogLevel.Information, "acquisition: {Count} source(s): {Names}")]
    public static partial void AcquisitionSources(ILogger logger, int count, string names);

    [LoggerMessage(201, LogLevel.Warning, "source {Source} failed: {Reason}; its readings count as missing (logged once, until it answers again)")]
    public static partial void SourceFailed(ILogger logger, string source, string reason);

    [LoggerMessage(202, LogLevel.Warning, "the interval channel is full; the oldest interval was dropped by a slow stage")]
    public static partial void IntervalDropped(ILogger logger);

    [LoggerMessage(203, LogLevel.Warning, "the system clock stepped by {StepS:+0;-0} s (to {NowUtc:o}): NTP after boot or a manual change; intervals start again from the new time and the one in progress is dropped")]
    public static partial void ClockStepped(ILogger logger, double stepS, DateTimeOffset nowUtc);

    [LoggerMessage(204, LogLevel.Warning, "source {Source} at {Endpoint} does not answer: {Reason} (last answer: {LastAnswer}); its readings count as missing, and this is said again only when it answers")]
    public static partial void SourceNotAnswering(ILogger logger, string source, string endpoint, string reason, string lastAnswer);

    [LoggerMessage(205, LogLevel.Information, "source {Source} at {Endpoint} answers again, after {SilentS:0} s without values")]
    public static partial void SourceAnswersAgain(ILogger logger, string source, string endpoint, double silentS);

    [LoggerMessage(300, LogLevel.Information, "storage: {Path} (WAL), retention {Days} days, {Outbox} message(s) waiting in the outbox")]
    public static partial void StorageOpened(ILogger logger, string path, int days, long outbox);

    [LoggerMessage(301, LogLevel.Information, "retention: {Count} history value(s) older than {Cutoff:o} deleted")]
    public static partial void RetentionApplied(ILogger logger, int count, DateTimeOffset cutoff);

    [LoggerMessage(302, LogLevel.Error, "storage failure: {Reason}")]
    public static partial void StorageFailed(ILogger logger, string reason);

    [LoggerMessage(303, LogLevel.Error, "storage: {Message}")]
    public static partial void StorageMovedAside(ILogger logger, string message);

    [LoggerMessage(400, LogLevel.Information, "connected to MQTT broker {Host}:{Port} as {ClientId} (MQTT {Protocol})")]
    public static partial void MqttConnected(ILogger logger, string host, int port, string clientId, string protocol);

    [LoggerMessage(401, LogLevel.Warning, "MQTT broker {Host}:{Port} unreachable or lost ({Reason}); retrying in {DelayS:0.0} s, {Outbox} message(s) kept in the outbox")]
    public static partial void MqttDisconnected(ILogger logger, string host, int port, string reason, double delayS, long outbox);

    [LoggerMessage(402, LogLevel.Information, "outbox: {Count} queued message(s) delivered after reconnect")]
    public static partial void OutboxReplayed(ILogger logger, int count);

    [LoggerMessage(403, LogLevel.Information, "Home Assistant came online; discovery re-sent")]
    public static partial void HomeAssistantOnline(ILogger logger);

    [LoggerMessage(405, LogLevel.Warning, "outbox over its limits ({Count} message(s), {Mb:0.0} MB waiting): the oldest telemetry is dropped, {Dropped} message(s) dropped since start")]
    public static partial void OutboxDropped(ILogger logger, long count, double mb, long dropped);

    [LoggerMessage(404, LogLevel.Error, "MQTT settings unusable: {Reason}")]
    public static partial void MqttSettingsInvalid(ILogger logger, string reason);

    [LoggerMessage(407, LogLevel.Warning, "broker refuses {Topic}: {Reason}; such messages are dropped (check the broker's access rules for this gateway's topics)")]
    public static partial void PublishRefused(ILogger logger, string topic, string reason);

    [LoggerMessage(408, LogLevel.Warning, "broker refuses the subscription to {Topic}: {Reason}; what is sent there will not reach the gateway (check the broker's access rules)")]
    public static partial void SubscriptionRefused(ILogger logger, string topic, string reason);

    [LoggerMessage(409, LogLevel.Error, "the outbox cannot store messages ({Reason}): what cannot be sent now is dropped, {Dropped} message(s) since start; free space on the card")]
    public static partial void OutboxWriteFailed(ILogger logger, string reason, long dropped);

    [LoggerMessage(406, LogLevel.Warning, "MQTT broker {Host}:{Port} turned MQTT {Refused} away ({Reason}); trying MQTT {Next} (Mqtt:Protocol auto)")]
    public static partial void MqttProtocolFallback(ILogger logger, string host, int port, string refused, string reason, string next);

    [LoggerMessage(500, LogLevel.Information, "weather: {Points} point(s) from {Source}, {From:o} to {To:o}")]
    public static partial void WeatherUpdated(ILogger logger, string source, int points, DateTimeOffset from, DateTimeOffset to);

    [LoggerMessage(501, LogLevel.Warning, "weather from {Source} unavailable ({Reason}); falling back to {Fallback}")]
    public static partial void WeatherFallback(ILogger logger, string source, string reason, string fallback);

    [LoggerMessage(502, LogLevel.Warning, "malformed weather message on {Topic} ignored: {Reason}")]
    public static partial void WeatherMessageRejected(ILogger logger, string topic, string reason);

    [LoggerMessage(600, LogLevel.Information, "forecast issued ({Reason}): model {Model}, weather {Source}, today {TodayKwh:0.0} kWh, tomorrow {TomorrowKwh:0.0} kWh, computed in {Ms:0.0} ms")]
    public static partial void ForecastIssued(ILogger logger, string reason, string model, string source, double todayKwh, double tomorrowKwh, double ms);

    [LoggerMessage(601, LogLevel.Error, "forecast failed: {Reason}; the last forecast stays published")]
    public static partial void ForecastFailed(ILogger logger, string reason);

    [LoggerMessage(700, LogLevel.Warning, "anomaly {State}: {Type} ({Severity}) since {Start:o}, expected {ExpectedW:0} W, measured {MeasuredW:0} W")]
    public static partial void AnomalyChanged(ILogger logger, string state, string type, string severity, DateTimeOffset start, double expectedW, double measuredW);

    [LoggerMessage(701, LogLevel.Error, "anomaly checks failed on the minute from {Start:o}: {Reason}; such minutes are skipped (said again only after one passes)")]
    public static partial void AnomalyCheckFailed(ILogger logger, DateTimeOffset start, string reason);

    [LoggerMessage(800, LogLevel.Warning, "model bundle {Path} not usable ({Reason}); using the physics model of the site")]
    public static partial void BundleFallback(ILogger logger, string path, string reason);

    [LoggerMessage(801, LogLevel.Information, "power model: {Model}")]
    public static partial void ModelInUse(ILogger logger, string model);
}
