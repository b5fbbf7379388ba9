using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.EdgeAgent.Publishing;
using PvEdge.EdgeAgent.Weather;

namespace PvEdge.EdgeAgent.Storage;

/// <summary>The storage stage: writes every interval to the history (a 15-minute one with the weather the agent held for it,
/// <see cref="RecordedWeather"/>), applies retention once an hour, and hands each 1-minute interval to the publisher as telemetry.</summary>
public sealed class RecorderService : BackgroundService
{
    private readonly StageChannels _channels;
    private readonly AgentDatabase _database;
    private readonly PublishQueue _queue;
    private readonly Topics _topics;
    private readonly LiveState _live;
    private readonly TimeProvider _time;
    private readonly StorageOptions _options;
    private readonly ILogger<RecorderService> _logger;
    private readonly PipelineHealth _health;
    private readonly WeatherState _weather;
    private long _failedWrites;
    private DateTimeOffset _failureLoggedAt = DateTimeOffset.MinValue;
    private DateTimeOffset _lastRetention = DateTimeOffset.MinValue;

    public RecorderService(StageChannels channels, AgentDatabase database, PublishQueue queue, Topics topics, LiveState live, TimeProvider time,
        IOptions<StorageOptions> options, ILogger<RecorderService> logger, PipelineHealth health, WeatherState weather)
    {
        _weather = weather;
        _health = health;
        _channels = channels;
        _database = database;
        _queue = queue;
        _topics = topics;
        _live = live;
        _time = time;
        _options = options.Value;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _health.Expect(PipelineStage.Storage);
        AgentLog.StorageOpened(_logger, _database.Path, _options.RetentionDays, _database.OutboxCount());
        await foreach (var record in _channels.ToRecorder.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                _database.WriteHistory(record.StartUtc, record.Step,
                    record.Step == RecordedWeather.Step ? record.Values.Concat(RecordedWeather.Values(_weather, record.StartUtc, record.Step)) : record.Values);
                _health.Report(PipelineStage.Storage);
            }
            catch (Microsoft.Data.Sqlite.SqliteException ex)
            {
                LogFailure(ex.Message);
            }
            if (record.Step == TimeSpan.FromMinutes(1))
            {
                _live.AddMinute(record);
                _queue.PublishTelemetry(_topics.Telemetry, PayloadWriter.Telemetry(_topics.Gateway, record, _time.GetUtcNow()));
            }
            var now = _time.GetUtcNow();
            if (now - _lastRetention >= TimeSpan.FromHours(1))
            {
                _lastRetention = now;
                var cutoff = now - TimeSpan.FromDays(_options.RetentionDays);
                try
                {
                    var removed = _database.DeleteHistoryBefore(cutoff);
                    if (removed > 0)
                    {
                        AgentLog.RetentionApplied(_logger, removed, cutoff);
                    }
                }
                catch (Microsoft.Data.Sqlite.SqliteException ex)
                {
                    LogFailure(ex.Message);
                }
            }
        }
    }

    /// <summary>One line a minute at most while writes keep failing (a full card would otherwise log every interval, into the
    /// same full card), with how many failed since the last line.</summary>
    private void LogFailure(string reason)
    {
        _failedWrites++;
        var now = _time.GetUtcNow();
        if (now - _failureLoggedAt >= TimeSpan.FromMinutes(1))
        {
            _failureLoggedAt = now;
            AgentLog.StorageFailed(_logger, $"{reason} ({_failedWrites} write(s) failed since the last line)");
            _failedWrites = 0;
        }
    }
}
