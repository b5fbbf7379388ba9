using System.Diagnostics;
using System.Globalization;
using MQTTnet;
using PvEdge.FleetLoad;

// Fleet load: N simulated gateways against one broker on loopback, and the utility's consumers counting every message.
FleetOptions options;
try
{
    options = FleetOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

var inv = CultureInfo.InvariantCulture;
void Say(FormattableString line) => Console.WriteLine(line.ToString(inv));
var self = Process.GetCurrentProcess();
double CpuS() { self.Refresh(); return self.TotalProcessorTime.TotalSeconds; }
double RssMiB() { self.Refresh(); return self.WorkingSet64 / 1048576.0; }

var factory = new MqttClientFactory();
using var consumer = new FleetConsumer(options);
using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
await consumer.StartAsync(factory, cts.Token);
Say($"broker {options.Host}:{options.Port} (MQTT {options.Protocol}), {consumer.Describe}");

GC.Collect();
var rssBefore = RssMiB();
var gateways = Enumerable.Range(0, options.Gateways).Select(i => new SimulatedGateway(factory, options, i)).ToList();
var connectClock = Stopwatch.StartNew();
using (var gate = new SemaphoreSlim(options.ConnectConcurrency))
{
    await Task.WhenAll(gateways.Select(async g =>
    {
        await gate.WaitAsync(cts.Token);
        try
        {
            await g.ConnectAsync(cts.Token);
        }
        finally
        {
            gate.Release();
        }
    }));
}
var connectS = connectClock.Elapsed.TotalSeconds;
GC.Collect();
var rssConnected = RssMiB();
Say($"{options.Gateways} gateways connected in {connectS:0.0} s; RSS {rssBefore:0.0} -> {rssConnected:0.0} MiB");

var telemetryRate = options.Gateways * options.TimeFactor / options.TelemetryPeriodS;
Say($"running {options.DurationS:0} s: telemetry every {options.TelemetryPeriodS / options.TimeFactor:0.###} s per gateway (QoS {options.TelemetryQos}, {telemetryRate:0} msg/s offered), forecast every {options.ForecastPeriodS / options.TimeFactor:0.#} s, time x{options.TimeFactor}");
var cpuStart = CpuS();
var received0 = consumer.Messages;
var runClock = Stopwatch.StartNew();
using var runCts = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
runCts.CancelAfter(TimeSpan.FromSeconds(options.DurationS));
var simulatedStart = new DateTimeOffset(2026, 6, 21, 4, 0, 0, TimeSpan.Zero);
var running = Task.WhenAll(gateways.Select(g => Task.Run(() => g.RunAsync(simulatedStart, runCts.Token))));
var peakRss = rssConnected;
while (!running.IsCompleted)
{
    await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(10)));
    peakRss = Math.Max(peakRss, RssMiB());
    Say($"  t={runClock.Elapsed.TotalSeconds:0}s sent {gateways.Sum(g => g.TelemetrySent)} telemetry, received {consumer.Telemetry}");
}
await running;
var runS = runClock.Elapsed.TotalSeconds;
var cpuRun = CpuS() - cpuStart;

// Drain: wait until the consumers have every sent message or nothing arrives for 5 s.
var sentTelemetry = gateways.Sum(g => g.TelemetrySent);
var sentForecasts = gateways.Sum(g => g.ForecastsSent);
var last = -1L;
var quiet = Stopwatch.StartNew();
while (consumer.UniqueTelemetry < sentTelemetry && quiet.Elapsed < TimeSpan.FromSeconds(5))
{
    await Task.Delay(200);
    if (consumer.Messages != last)
    {
        last = consumer.Messages;
        quiet.Restart();
    }
}
var receivedRun = consumer.Messages - received0;

// Last will: a share of the fleet drops its connection abruptly; the broker must publish their retained "offline".
var abrupt = (int)Math.Round(options.Gateways * options.WillFraction);
await Task.WhenAll(gateways.Select(g => g.StopAsync(abrupt: g.Index < abrupt)));
var willClock = Stopwatch.StartNew();
while (consumer.OfflineAmong(abrupt) < abrupt && willClock.Elapsed < TimeSpan.FromSeconds(15))
{
    await Task.Delay(100);
}
var wills = consumer.OfflineAmong(abrupt);
var unexpectedOffline = consumer.OfflineFrom(abrupt);
await consumer.StopAsync();

var lost = sentTelemetry - consumer.UniqueTelemetry;
var failures = gateways.Sum(g => g.PublishFailures);
Say($"RESULT gateways={options.Gateways} duration_s={runS:0.0} telemetry_qos={options.TelemetryQos}");
Say($"  published: telemetry {sentTelemetry}, forecasts {sentForecasts}, online {options.Gateways}, publish failures {failures}");
Say($"  received:  telemetry {consumer.Telemetry} ({consumer.UniqueTelemetry} unique, {consumer.Duplicates} duplicates, {consumer.OutOfOrder} out of order), forecasts {consumer.Forecasts}, online {consumer.Online}, malformed {consumer.Malformed}");
Say($"  lost telemetry: {lost} ({(sentTelemetry == 0 ? 0 : 100.0 * lost / sentTelemetry):0.000} %); forecasts lost {sentForecasts - consumer.Forecasts}; last wills {wills}/{abrupt} abrupt disconnects, {unexpectedOffline} offline among the {options.Gateways - abrupt} clean ones");
Say($"  throughput: {receivedRun / runS:0} msg/s received ({consumer.Bytes / runS / 1e6:0.00} MB/s), {sentTelemetry / runS:0} telemetry msg/s published");
Say($"  client (gateways + consumers, one process): CPU {cpuRun:0.0} s over {runS:0} s = {cpuRun / runS * 100:0} % of a core; {cpuRun / options.Gateways * 1000 / runS * 60:0.0} ms CPU per gateway per minute");
Say($"  memory: {(rssConnected - rssBefore) * 1024 / options.Gateways:0.0} KiB RSS per connected gateway; peak RSS {peakRss:0} MiB; connect {connectS:0.0} s");
foreach (var g in gateways)
{
    g.Dispose();
}
return lost == 0 && failures == 0 && consumer.Forecasts >= sentForecasts && wills == abrupt ? 0 : 1;
