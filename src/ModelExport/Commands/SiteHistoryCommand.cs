using System.Globalization;
using PvEdge.ModelExport.Simulation;
using PvEdge.Shared.Cli;
using PvEdge.Shared.Features;
using PvEdge.Shared.Learning;

namespace PvEdge.ModelExport.Commands;

/// <summary><c>modelexport site-history --site S --out H</c>: a measured-looking history of one given site (no weather file
/// needed): the fleet's stochastic weather and physics (<see cref="FleetGenerator"/>), an open horizon, soiling, and 1 %
/// measurement noise on AC and DC. It is how the default bundle gets a history for the demo site.</summary>
public sealed class SiteHistoryCommand : ICliCommand
{
    private const double NoiseRelative = 0.01;

    public string Name => "site-history";

    public string Usage => "site-history --site S --out H [--days 60] [--seed 1] [--start 2025-04-01] [--soiling 0.02] [--clear 0.5]  simulated history CSV of one site (fleet weather, open horizon, 1 % noise)";

    public Task<int> RunAsync(CliArguments args, CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        var options = SiteCommandOptions.Read(args);
        var days = args.Int("days", 60, 1, 3660);
        var seed = args.Int("seed", 1, 0);
        var startText = args.Optional("start", "2025-04-01");
        var soiling = args.Double("soiling", 0.02, 0, 0.5);
        var clear = args.Double("clear", 0.5, 0, 1);
        args.RejectUnknown();
        if (!DateOnly.TryParseExact(startText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start))
        {
            throw new InputException($"option --start: '{startText}' is not a date (expected yyyy-MM-dd)");
        }
        var site = options.LoadSite();
        var rng = new SeededRandom((ulong)seed);
        var sim = FleetGenerator.Simulate(site, ShadingScene.Open, soiling, clear, rng, new FleetOptions(1, (ulong)seed, days, 15, start));
        var n = sim.Times.Length;
        var ac = new double[n];
        var dc = new double[n];
        for (var i = 0; i < n; i++)
        {
            ac[i] = Math.Max(0, sim.AcW[i] * (1 + (NoiseRelative * rng.NextGaussian())));
            dc[i] = Math.Max(0, sim.DcW[i] * (1 + (NoiseRelative * rng.NextGaussian())));
        }
        options.CreateOutputFolder();
        History.Write(options.Output, sim.Times, new Dictionary<string, double[]>
        {
            ["ac_power_w"] = ac,
            ["dc_power_w"] = dc,
            ["ghi_wm2"] = sim.Ghi,
            ["dni_wm2"] = sim.Dni,
            ["dhi_wm2"] = sim.Dhi,
            ["temp_air_c"] = sim.TempC,
            ["wind_speed_ms"] = sim.WindMs,
        });
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {options.Output}: {days} days at 15 min for {site.Name} from {start:yyyy-MM-dd}, {sim.AcW.Sum() / 4000:F0} kWh AC"));
        return Task.FromResult(0);
    }
}
