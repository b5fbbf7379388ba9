using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace PvEdge.EdgeAgent.Hosting;

/// <summary>What systemd told the service: the notify socket and the watchdog timeout (<c>WatchdogSec=</c>).</summary>
public sealed record SystemdNotifySettings(string? NotifySocket, TimeSpan? WatchdogTimeout)
{
    /// <summary>Reads <c>NOTIFY_SOCKET</c>, <c>WATCHDOG_USEC</c> and <c>WATCHDOG_PID</c> (the watchdog is ours only when the pid is absent or ours).</summary>
    public static SystemdNotifySettings FromEnvironment(Func<string, string?> variable, int processId)
    {
        var socket = variable("NOTIFY_SOCKET");
        TimeSpan? timeout = null;
        if (long.TryParse(variable("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var usec) && usec > 0)
        {
            var pid = variable("WATCHDOG_PID");
            if (string.IsNullOrEmpty(pid) || pid == processId.ToString(CultureInfo.InvariantCulture))
            {
                timeout = TimeSpan.FromMicroseconds(usec);
            }
        }
        return new SystemdNotifySettings(string.IsNullOrEmpty(socket) ? null : socket, timeout);
    }

    /// <summary>The process's own environment.</summary>
    public static SystemdNotifySettings FromProcess() => FromEnvironment(Environment.GetEnvironmentVariable, Environment.ProcessId);

    /// <summary>True when there is a socket to notify and a watchdog to feed.</summary>
    public bool WatchdogEnabled => NotifySocket is not null && WatchdogTimeout is not null;

    /// <summary>The socket address: a path, or an abstract name when systemd gave one starting with '@'.</summary>
    public UnixDomainSocketEndPoint EndPoint() => NotifySocket is null
        ? throw new InvalidOperationException("NOTIFY_SOCKET is not set")
        : new UnixDomainSocketEndPoint(NotifySocket[0] == '@' ? "\0" + NotifySocket[1..] : NotifySocket);
}

/// <summary>Feeds the systemd watchdog (<c>WATCHDOG=1</c> on <c>$NOTIFY_SOCKET</c>, every half of <c>WATCHDOG_USEC</c>) only while
/// <see cref="PipelineHealth"/> says every stage made progress recently; a hung stage stops the feeding and systemd restarts the
/// service after <c>WatchdogSec</c>. Also keeps <c>STATUS=</c> current for <c>systemctl status</c>. Does nothing outside systemd.</summary>
public sealed partial class SystemdWatchdog : BackgroundService
{
    private readonly PipelineHealth _health;
    private readonly TimeProvider _time;
    private readonly SystemdNotifySettings _settings;
    private readonly ILogger<SystemdWatchdog> _logger;

    public SystemdWatchdog(PipelineHealth health, WallClock wall, SystemdNotifySettings settings, ILogger<SystemdWatchdog> logger)
    {
        _health = health;
        _time = wall.Time;
        _settings = settings;
        _logger = logger;
    }

    /// <summary>Watchdog messages sent since start.</summary>
    public long Fed { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_settings.WatchdogEnabled)
        {
            return;
        }
        var period = _settings.WatchdogTimeout!.Value / 2;
        LogEnabled(_logger, _settings.WatchdogTimeout.Value.TotalSeconds, period.TotalSeconds, _health.MaxSilence.TotalSeconds);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        var endPoint = _settings.EndPoint();
        var wasHealthy = true;
        using var timer = new PeriodicTimer(period, _time);
        do
        {
            var healthy = _health.IsHealthy;
            var status = Describe(_health.Snapshot());
            if (healthy != wasHealthy)
            {
                if (healthy)
                {
                    LogRecovered(_logger, status);
                }
                else
                {
                    LogStarving(_logger, status);
                }
                wasHealthy = healthy;
            }
            var message = healthy ? $"WATCHDOG=1\nSTATUS=healthy: {status}" : $"STATUS=unhealthy, watchdog not fed: {status}";
            try
            {
                await socket.SendToAsync(Encoding.UTF8.GetBytes(message), SocketFlags.None, endPoint, stoppingToken).ConfigureAwait(false);
                if (healthy)
                {
                    Fed++;
                }
            }
            catch (SocketException ex)
            {
                LogSendFailed(_logger, _settings.NotifySocket!, ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>"acquisition 3 s, storage 41 s, publishing 2 s ago" (the silence of every expected stage).</summary>
    public static string Describe(IReadOnlyList<StageHealth> stages) => stages.Count == 0
        ? "starting"
        : string.Join(", ", stages.Select(s => string.Create(CultureInfo.InvariantCulture,
            $"{s.Stage.ToString().ToLowerInvariant()} {s.Silence.TotalSeconds:0} s ago{(s.Healthy ? "" : " (overdue)")}")));

    [LoggerMessage(150, LogLevel.Information, "systemd watchdog: timeout {TimeoutS:0} s, fed every {PeriodS:0} s while every stage made progress within {SilenceS:0} s")]
    private static partial void LogEnabled(ILogger logger, double timeoutS, double periodS, double silenceS);

    [LoggerMessage(151, LogLevel.Error, "pipeline unhealthy, the systemd watchdog is no longer fed (systemd restarts the service): {Status}")]
    private static partial void LogStarving(ILogger logger, string status);

    [LoggerMessage(152, LogLevel.Information, "pipeline healthy again, the systemd watchdog is fed: {Status}")]
    private static partial void LogRecovered(ILogger logger, string status);

    [LoggerMessage(153, LogLevel.Warning, "systemd notify socket {Socket} refused a message: {Reason}")]
    private static partial void LogSendFailed(ILogger logger, string socket, string reason);
}
