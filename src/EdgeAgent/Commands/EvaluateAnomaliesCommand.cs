using System.Globalization;
using PvEdge.EdgeAgent.Anomalies;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.Shared.Cli;

namespace PvEdge.EdgeAgent.Commands;

/// <summary><c>edgeagent evaluate-anomalies [--days 30] [--seed 7] [--start T] [--site S]</c>: a simulated month with a fault schedule and a
/// fault-free month, scored: detection per fault, median detection delay per type, false events.</summary>
public sealed class EvaluateAnomaliesCommand : ICliCommand
{
    public string Name => "evaluate-anomalies";

    public string Usage => "evaluate-anomalies [--days 30] [--seed 7] [--start T] [--site S]  scores the detectors on a simulated month with faults and a fault-free month";

    public Task<int> RunAsync(CliArguments args, CliContext context, CancellationToken cancellationToken)
    {
        var days = args.Int("days", 30, 2, 366);
        var seed = args.Int("seed", 7);
        var startText = args.Optional("start", "2026-05-01T00:00:00Z");
        var sitePath = args.Optional("site");
        args.RejectUnknown();
        if (!DateTimeOffset.TryParse(startText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var start))
        {
            throw new InputException($"option --start: expected an ISO-8601 time, got '{startText}'");
        }
        var models = DefaultSiteModels.ForSite(DefaultSiteModels.LoadSite(sitePath));
        var options = new AnomalyOptions();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var faults = AnomalyEvaluation.Schedule(start, days, models.Site.Longitude, seed);
        var withFaults = AnomalyEvaluation.Run(models, start, days, faults, seed, options);
        var clean = AnomalyEvaluation.Run(models, start.AddDays(days), days, [], seed + 1, options);
        var o = context.Out;
        o.WriteLine($"site {models.Site.Name}, {days} simulated days with {faults.Count} faults (seed {seed}), then {days} fault-free days; computed in {sw.Elapsed.TotalSeconds:0.0} s");
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
        o.WriteLine($"false events with faults: {withFaults.FalseEvents.Count} ({string.Join(", ", withFaults.FalseEvents.GroupBy(e => e.Type).Select(x => $"{x.Key} {x.Count()}"))})");
        o.WriteLine($"false events on the fault-free period: {clean.FalseEvents.Count} ({string.Join(", ", clean.FalseEvents.GroupBy(e => e.Type).Select(x => $"{x.Key} {x.Count()}"))})");
        return Task.FromResult(0);
    }
}
