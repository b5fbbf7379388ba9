using System.Globalization;
using PvEdge.EdgeAgent.Anomalies;
using PvEdge.EdgeAgent.Demo;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.InverterSimulator.Faults;
using PvEdge.Shared.Cli;

namespace PvEdge.EdgeAgent.Commands;

/// <summary><c>edgeagent evaluate-anomalies [--days 30] [--seed 7] [--start T] [--site S] [--modbus [--faults F] [--faults-out F] [--cadence-s 30]
/// [--timeout-ms 500]]</c>: a simulated month with a fault schedule and a fault-free month, scored: detection per fault, median
/// detection delay per type, false events. With --modbus the months run through the SunSpec inverter simulator on Modbus TCP
/// (loopback) and the agent's acquisition; the faulted month plays the schedule file F (simulator format), or a random schedule
/// that is first written to --faults-out (default: a temporary file) and read back.</summary>
public sealed class EvaluateAnomaliesCommand : ICliCommand
{
    public string Name => "evaluate-anomalies";

    public string Usage => "evaluate-anomalies [--days 30] [--seed 7] [--start T] [--site S] [--modbus [--faults F] [--faults-out F] [--cadence-s 30] [--timeout-ms 500]]  "
        + "scores the detectors on a simulated month with faults and a fault-free month (--modbus: through the Modbus simulator and the agent's acquisition)";

    public async Task<int> RunAsync(CliArguments args, CliContext context, CancellationToken cancellationToken)
    {
        var days = args.Int("days", 30, 1, 366);
        var seed = args.Int("seed", 7);
        var startText = args.Optional("start", "2026-05-01T00:00:00Z");
        var sitePath = args.Optional("site");
        var modbus = args.Flag("modbus");
        var faultsFile = args.Optional("faults");
        var faultsOut = args.Optional("faults-out");
        var cadenceS = args.Double("cadence-s", 30, 1, 600);
        var timeoutMs = args.Int("timeout-ms", 500, 20, 10_000);
        args.RejectUnknown();
        if (!modbus && (faultsFile is not null || faultsOut is not null))
        {
            throw new InputException("options --faults and --faults-out: only with --modbus (the in-process plant takes a random schedule)");
        }
        if (!DateTimeOffset.TryParse(startText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var start))
        {
            throw new InputException($"option --start: expected an ISO-8601 time, got '{startText}'");
        }
        var site = DefaultSiteModels.LoadSite(sitePath);
        var models = DefaultSiteModels.ForSite(site);
        var options = new AnomalyOptions();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var o = context.Out;
        AnomalyEvaluationResult withFaults, clean;
        if (modbus)
        {
            FaultSchedule schedule;
            if (faultsFile is null)
            {
                var generated = new FaultSchedule(AnomalyEvaluation.Schedule(start, days, site.LongitudeDeg, seed).Select(DemoSimulator.ToSimulatorFault).ToList());
                faultsFile = faultsOut ?? Path.Combine(Path.GetTempPath(), $"edgeagent-faults-{seed}-{days}d.json");
                await File.WriteAllTextAsync(faultsFile, generated.ToJson(), cancellationToken).ConfigureAwait(false);
            }
            schedule = FaultSchedule.Load(faultsFile);
            var cadence = TimeSpan.FromSeconds(cadenceS);
            var timeout = TimeSpan.FromMilliseconds(timeoutMs);
            o.WriteLine($"Modbus TCP simulator on loopback, fault schedule {faultsFile} ({schedule.Faults.Count} faults), read every {cadenceS.ToString(CultureInfo.InvariantCulture)} simulated s");
            withFaults = await AnomalyEvaluation.RunModbusAsync(models, site, start, days, schedule, seed, options, cadence, timeout, cancellationToken).ConfigureAwait(false);
            o.WriteLine($"  faulted period computed in {sw.Elapsed.TotalSeconds:0.0} s");
            clean = await AnomalyEvaluation.RunModbusAsync(models, site, start.AddDays(days), days, FaultSchedule.None, seed + 1, options, cadence, timeout, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var faults = AnomalyEvaluation.Schedule(start, days, models.Site.Longitude, seed);
            withFaults = AnomalyEvaluation.Run(models, start, days, faults, seed, options);
            clean = AnomalyEvaluation.Run(models, start.AddDays(days), days, [], seed + 1, options);
        }
        o.WriteLine($"site {models.Site.Name}, {days} simulated days with {withFaults.Faults.Count} faults (seed {seed}), then {days} fault-free days; computed in {sw.Elapsed.TotalSeconds:0.0} s"
            + (modbus ? " through Modbus" : " in process"));
        foreach (var f in withFaults.Faults)
        {
            o.WriteLine($"  {f.Fault.Type,-19} {f.Fault.StartUtc:yyyy-MM-dd HH:mm}Z {(f.Fault.EndUtc - f.Fault.StartUtc).TotalMinutes,4:0} min -> " +
                (f.Detected is { } e ? $"{e.Type} after {f.Delay!.Value.TotalMinutes:0} min" : $"MISSED (expected {f.ExpectedType})"));
        }
        foreach (var g in withFaults.Faults.GroupBy(f => f.Fault.Type))
        {
            var delays = g.Where(f => f.Delay is not null).Select(f => f.Delay!.Value.TotalMinutes).Order().ToList();
            var median = delays.Count == 0 ? double.NaN : delays.Count % 2 == 1 ? delays[delays.Count / 2] : (delays[delays.Count / 2 - 1] + delays[delays.Count / 2]) / 2;
            o.WriteLine($"{g.Key}: detected {delays.Count}/{g.Count()}, median delay {median:0.0} min");
        }
        o.WriteLine($"false events with faults: {withFaults.FalseEvents.Count} ({Describe(withFaults.FalseEvents)})");
        o.WriteLine($"false events on the fault-free period: {clean.FalseEvents.Count} ({Describe(clean.FalseEvents)})");
        return 0;
    }

    private static string Describe(IReadOnlyList<AnomalyEvent> events) =>
        string.Join(", ", events.Select(e => $"{e.Type} {e.StartUtc:MM-dd HH:mm}Z"));
}
