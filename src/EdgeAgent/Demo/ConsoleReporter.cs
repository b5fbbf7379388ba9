using System.Globalization;
using System.Text;
using Microsoft.Extensions.Hosting;
using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Forecasting;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.EdgeAgent.Publishing;
using PvEdge.EdgeAgent.Weather;

namespace PvEdge.EdgeAgent.Demo;

/// <summary>The demo's console: how to subscribe, a live-readings line every few seconds, and the next 24 h forecast as a table
/// (site local time) each time a new forecast is issued.</summary>
public sealed class ConsoleReporter : BackgroundService
{
    private readonly TextWriter _out;
    private readonly LiveState _live;
    private readonly ForecastState _forecasts;
    private readonly BrokerEndpoint _broker;
    private readonly Topics _topics;
    private readonly SiteContext _site;
    private readonly TimeProvider _time;
    private readonly TimeProvider _wall;
    private readonly double _speed;
    private readonly Func<string> _plant;

    public ConsoleReporter(TextWriter output, LiveState live, ForecastState forecasts, BrokerEndpoint broker, Topics topics, SiteContext site,
        TimeProvider time, WallClock wall, double speed, Func<string>? plant = null)
    {
        _plant = plant ?? (() => "configured devices");
        _out = output;
        _live = live;
        _forecasts = forecasts;
        _broker = broker;
        _topics = topics;
        _site = site;
        _time = time;
        _wall = wall.Time;
        _speed = speed;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _out.WriteLine($"edgeagent: site '{_site.Name}', {_plant()}, clock x{_speed.ToString(CultureInfo.InvariantCulture)}, simulated time {Local(_time.GetUtcNow()):yyyy-MM-dd HH:mm} ({_site.TimeZone.Id})");
        _out.WriteLine($"  subscribe:  mosquitto_sub -h {_broker.Host} -p {_broker.Port} -t '{_topics.Prefix}/#' -v");
        _out.WriteLine($"  push weather: mosquitto_pub -h {_broker.Host} -p {_broker.Port} -t '{_topics.WeatherSet}' -m '{{\"points\":[...]}}'");
        PowerForecast? shown = null;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2), _wall);
        var lastLine = DateTimeOffset.MinValue;
        do
        {
            if (_forecasts.Hourly is { } f && !ReferenceEquals(f, shown))
            {
                shown = f;
                _out.Write(Table(f, _forecasts.LastComputeMs, _forecasts.FirstIssuedAfter));
            }
            var wallNow = _wall.GetUtcNow();
            if (wallNow - lastLine >= TimeSpan.FromSeconds(4) && _live.Latest.Count > 0)
            {
                lastLine = wallNow;
                _out.WriteLine(LiveLine());
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private DateTimeOffset Local(DateTimeOffset t) => TimeZoneInfo.ConvertTime(t, _site.TimeZone);

    private string LiveLine()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"[{Local(_time.GetUtcNow()):HH:mm:ss}] live:");
        foreach (var q in new[] { "ac_power_w", "dc_power_w", "energy_total_kwh", "inverter_state", "poa_wm2", "temp_module_c" })
        {
            if (_live.Latest.TryGetValue(q, out var r))
            {
                sb.Append(' ').Append(q).Append('=').Append(r.Value is { } v ? v.ToString(q.EndsWith("kwh", StringComparison.Ordinal) ? "0.000" : "0", CultureInfo.InvariantCulture) : "missing");
            }
        }
        return sb.ToString();
    }

    /// <summary>The next 24 hourly points as a table, in the site's local time.</summary>
    public string Table(PowerForecast f, double computeMs, TimeSpan? firstAfter)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"forecast issued {Local(f.IssuedUtc):yyyy-MM-dd HH:mm} (model {f.ModelId}, weather {f.WeatherSource}, computed in {computeMs:0.0} ms{(firstAfter is { } a ? $", first forecast {a.TotalSeconds:0.0} s after start" : "")})");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  today {f.EnergyTodayKwh:0.0} kWh, tomorrow {f.EnergyTomorrowKwh:0.0} kWh");
        sb.AppendLine("  hour         p10 W    p50 W    p90 W");
        var max = f.Points.Take(24).Select(p => p.P90W).DefaultIfEmpty(1).Max();
        foreach (var p in f.Points.Take(24))
        {
            var bar = new string('#', max > 0 ? (int)Math.Round(20 * p.P50W / max) : 0);
            sb.AppendLine(CultureInfo.InvariantCulture, $"  {Local(p.StartUtc):ddd HH:mm}  {p.P10W,7:0} {p.P50W,8:0} {p.P90W,8:0}  {bar}");
        }
        return sb.ToString();
    }
}
