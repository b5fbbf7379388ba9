using System.Globalization;
using System.Text;
using System.Text.Json;
using PvEdge.ModelExport.Evaluation;
using PvEdge.ModelExport.Simulation;
using PvEdge.ModelExport.Training;
using PvEdge.Shared.Cli;
using PvEdge.Shared.Learning.Chain;

namespace PvEdge.ModelExport.Commands;

/// <summary><c>modelexport study --base M --data D</c>: held-out fleet evaluation (fine-tuned vs noise floor and PVWatts,
/// shading-field error) and the sample-efficiency table (pretrained + fine-tuned vs from scratch by days of history).</summary>
public sealed class StudyCommand : ICliCommand
{
    public string Name => "study";

    public string Usage => "study --base M --data D [--sites 100] [--days 14] [--efficiency 3,7,14,30,90] [--epochs 120] [--site-only] [--budget 120000] [--shading-lr 0.005] [--edge-units 16] [--seed 1] [--rolling N] [--recent-days 3] [--edge-check-hours 16] [--no-correction] [--no-ceiling] [--ceiling] [--test-start 90] [--bound 64] [--weather-error 0] [--only ID,ID] [--dump DIR] [--out F]  held-out fleet evaluation and sample efficiency";

    public Task<int> RunAsync(CliArguments args, CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        var basePath = args.Required("base");
        var data = args.Required("data");
        var maxSites = args.Int("sites", 100, 1);
        var testStart = args.Int("test-start", FleetStudy.DefaultTestStartDay, 2);
        var days = args.Int("days", 14, 2, testStart);
        var effText = args.Optional("efficiency");
        var epochs = args.Int("epochs", 120, 1);
        var siteOnly = args.Flag("site-only");
        var adaptation = new AdaptationOptions(SampleBudget: args.Int("budget", 120_000, 1000), ShadingLearningRate: (float)args.Double("shading-lr", 5e-3, 1e-6, 1),
            EdgeUnits: args.Int("edge-units", 16, 0, 256), Seed: (ulong)args.Int("seed", 1, 1), Ceiling: args.Flag("ceiling"));
        var output = args.Optional("out") ?? Path.Combine(data, "study.json");
        var dump = args.Optional("dump");
        var onlyText = args.Optional("only");
        var rollingDays = args.Int("rolling", 0, 0, FleetStudy.TestDays);
        var recentDays = args.Int("recent-days", AdaptationOptions.NightlyRecentDays, 0, days);
        var edgeCheckHours = args.Int("edge-check-hours", AdaptationOptions.NightlyEdgeCheckHours, 0, 48);
        var correction = !args.Flag("no-correction");
        var ceiling = !args.Flag("no-ceiling");
        var boundSamples = args.Int("bound", 64, 0, 4096);
        var weatherError = args.Double("weather-error", 0, 0, 1);
        args.RejectUnknown();
        var efficiency = effText is null ? Array.Empty<int>() : effText.Split(',').Select(s =>
            int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= 2 && v <= testStart
                ? v
                : throw new InputException($"option --efficiency: expected day counts in [2, {testStart}] separated by commas, got '{s}'")).ToArray();
        if (dump is not null)
        {
            Directory.CreateDirectory(dump);
        }
        var manifest = FleetGenerator.ReadManifest(data);
        if (manifest.Days < testStart + FleetStudy.TestDays)
        {
            throw new InputException($"option --test-start: the fleet in {data} has {manifest.Days} days; a test window from day {testStart} needs {testStart + FleetStudy.TestDays}");
        }
        var (foundation, _) = ChainBundle.Load(basePath);
        var study = new StudyOptions(days, efficiency, efficiency.Length > 0, epochs, !siteOnly, adaptation, dump, rollingDays, testStart, boundSamples, weatherError, recentDays, edgeCheckHours, correction, ceiling);
        var only = onlyText is null ? null : onlyText.Split(',').Select(s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
            ? v : throw new InputException($"option --only: expected site ids separated by commas, got '{s}'")).ToHashSet();
        var sites = manifest.Sites.Where(s => only is null || only.Contains(s.Id)).Take(maxSites).ToArray();
        var results = new SiteStudyResult[sites.Length];
        using (var bar = new ProgressBar(context.Error, "study"))
        {
            var done = 0;
            Parallel.For(0, sites.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, k =>
            {
                results[k] = FleetStudy.RunSite(foundation, data, sites[k], study);
                bar.Report(Interlocked.Increment(ref done) / (double)sites.Length);
            });
        }
        var summary = Summarise(results, days, efficiency, rollingDays, testStart, weatherError);
        File.WriteAllText(output, JsonSerializer.Serialize(new { summary, sites = results }, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        context.Out.Write(summary.Text);
        if (efficiency.Length > 0)
        {
            var png = Path.ChangeExtension(output, ".efficiency.png");
            PlotEfficiency(summary, png);
            context.Out.WriteLine($"wrote {png}");
        }
        context.Out.WriteLine($"wrote {output}");
        return Task.FromResult(0);
    }

    public sealed record StudySummary(int Sites, int ShadedSites, int Days, double FineTunedNrmsePct, double NoiseFloorNrmsePct, double RatioToNoiseFloor,
        double ShadedRmseReductionVsPvWattsPct, double ShadingMae, IReadOnlyList<CategoryRow> Categories, IReadOnlyList<EfficiencyRow> Efficiency, string Text)
    {
        /// <summary>0 when the rolling re-tuning was not run.</summary>
        public int RollingDays { get; init; }

        public double RollingRatioToNoiseFloor { get; init; } = double.NaN;

        public int TestStartDay { get; init; } = FleetStudy.DefaultTestStartDay;

        /// <summary>σ of the satellite-like GHI error the model and PVWatts saw (<see cref="SatelliteWeather"/>); 0 = exact weather.</summary>
        public double WeatherErrorSigma { get; init; }

        /// <summary>The <see cref="InformationBound"/> oracle's pooled nRMSE over the noise floor; NaN when not computed.</summary>
        public double BoundRatioToNoiseFloor { get; init; } = double.NaN;

        /// <summary>With a weather error: the true system on the model's weather over the noise floor (<see cref="SiteStudyResult.WeatherReferenceRmseW"/>).</summary>
        public double WeatherReferenceRatioToNoiseFloor { get; init; } = double.NaN;
    }

    /// <summary>Pooled ratio to the noise floor of one shading category, and the median of the per-site ratios.</summary>
    public sealed record CategoryRow(string Category, int Sites, double FineTunedNrmsePct, double NoiseFloorNrmsePct, double Ratio, double MedianSiteRatio, double ShadingMae,
        double EarlyRatio, double LateRatio, double SeenSkyRatio, double UnseenSkyRatio, double UnseenFraction)
    {
        /// <summary>The <see cref="InformationBound"/> oracle's pooled nRMSE over the noise floor; NaN when not computed.</summary>
        public double BoundRatio { get; init; } = double.NaN;

        /// <summary>The same with only informative positions revealing (<see cref="SiteStudyResult.InformedRmseW"/>).</summary>
        public double InformedRatio { get; init; } = double.NaN;
    }

    public sealed record EfficiencyRow(int Days, double PretrainedNrmsePct, double ScratchNrmsePct);

    /// <summary>Pooled nRMSE: √(mean over sites of (RMSE / DC capacity)²).</summary>
    private static double Pooled(IEnumerable<(double Rmse, double Cap)> xs)
    {
        var list = xs.Where(v => double.IsFinite(v.Rmse)).ToList();
        return list.Count == 0 ? double.NaN : 100 * Math.Sqrt(list.Average(v => (v.Rmse / v.Cap) * (v.Rmse / v.Cap)));
    }

    internal static StudySummary Summarise(SiteStudyResult[] results, int days, int[] efficiency, int rollingDays = 0, int testStartDay = FleetStudy.DefaultTestStartDay,
        double weatherErrorSigma = 0)
    {
        var fine = Pooled(results.Select(r => (r.FineTunedRmseW, r.DcCapacityW)));
        var floor = Pooled(results.Select(r => (r.NoiseFloorRmseW, r.DcCapacityW)));
        var shaded = results.Where(r => r.Shaded).ToArray();
        var shadedFine = Pooled(shaded.Select(r => (r.FineTunedRmseW, r.DcCapacityW)));
        var shadedPv = Pooled(shaded.Select(r => (r.PvWattsRmseW, r.DcCapacityW)));
        var mae = results.Where(r => double.IsFinite(r.ShadingMae)).Select(r => r.ShadingMae).DefaultIfEmpty(double.NaN).Average();
        var categories = results.GroupBy(r => r.Category).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var f = Pooled(g.Select(r => (r.FineTunedRmseW, r.DcCapacityW)));
            var n = Pooled(g.Select(r => (r.NoiseFloorRmseW, r.DcCapacityW)));
            var ratios = g.Select(r => r.FineTunedRmseW / r.NoiseFloorRmseW).Where(double.IsFinite).Order().ToArray();
            var median = ratios.Length == 0 ? double.NaN : ratios.Length % 2 == 1 ? ratios[ratios.Length / 2] : (ratios[(ratios.Length / 2) - 1] + ratios[ratios.Length / 2]) / 2;
            var m = g.Where(r => double.IsFinite(r.ShadingMae)).Select(r => r.ShadingMae).DefaultIfEmpty(double.NaN).Average();
            double Ratio(Func<SiteStudyResult, RmsePair> part) =>
                Pooled(g.Select(r => (part(r).FineTunedW, r.DcCapacityW))) / Pooled(g.Select(r => (part(r).NoiseFloorW, r.DcCapacityW)));
            return new CategoryRow(g.Key, g.Count(), f, n, f / n, median, m, Ratio(r => r.Early), Ratio(r => r.Late), Ratio(r => r.SeenSky), Ratio(r => r.UnseenSky),
                g.Select(r => r.UnseenFraction).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average())
            {
                BoundRatio = Pooled(g.Select(r => (r.BoundRmseW, r.DcCapacityW))) / n,
                InformedRatio = Pooled(g.Select(r => (r.InformedRmseW, r.DcCapacityW))) / n,
            };
        }).ToList();
        var rows = efficiency.Order().Select(d => new EfficiencyRow(d,
            Pooled(results.Select(r => (r.PretrainedRmseByDays.GetValueOrDefault(d, double.NaN), r.DcCapacityW))),
            Pooled(results.Select(r => (r.ScratchRmseByDays.GetValueOrDefault(d, double.NaN), r.DcCapacityW))))).ToList();
        var sb = new StringBuilder();
        var ci = CultureInfo.InvariantCulture;
        sb.AppendLine(ci, $"held-out sites: {results.Length} ({shaded.Length} shaded); fine-tuned on {days} days, tested on days {testStartDay}-{testStartDay + FleetStudy.TestDays}");
        if (weatherErrorSigma > 0)
        {
            sb.AppendLine(ci, $"weather as from a satellite: GHI off by an error of σ {weatherErrorSigma:P0} correlated {SatelliteWeather.HourlyCorrelation} from hour to hour, no DNI or DHI (Erbs); the information bound keeps the exact weather");
        }
        sb.AppendLine(ci, $"daylight nRMSE fine-tuned {fine:F2} %, noise floor {floor:F2} %, ratio {fine / floor:F2} (target <= 1.25)");
        var weatherReference = Pooled(results.Select(r => (r.WeatherReferenceRmseW, r.DcCapacityW)));
        if (double.IsFinite(weatherReference))
        {
            sb.AppendLine(ci, $"the true system on the same satellite weather (what the weather alone costs; a reference, not a bound): nRMSE {weatherReference:F2} %, ratio {weatherReference / floor:F2}; the model's excess over it: {fine / weatherReference:F2}x");
        }
        var bound = Pooled(results.Select(r => (r.BoundRmseW, r.DcCapacityW)));
        if (double.IsFinite(bound))
        {
            sb.AppendLine(ci, $"information bound (oracle told all but the obstacle tops the history did not reveal): nRMSE {bound:F2} %, ratio {bound / floor:F2}; the model's excess over it: {fine / bound:F2}x");
            var informed = Pooled(results.Select(r => (r.InformedRmseW, r.DcCapacityW)));
            sb.AppendLine(ci, $"the same oracle revealed only where an obstacle moves AC by >= 1 noise sigma (an estimate, not a bound): nRMSE {informed:F2} %, ratio {informed / floor:F2}");
        }
        sb.AppendLine(ci, $"shaded sites: fine-tuned nRMSE {shadedFine:F2} % vs PVWatts nameplate {shadedPv:F2} %: {100 * (1 - shadedFine / shadedPv):F1} % lower (target >= 40 %)");
        sb.AppendLine(ci, $"shading field MAE over seen sun positions (mean over sites): {mae:F3} (target <= 0.1)");
        var rollingRatio = double.NaN;
        if (rollingDays > 0)
        {
            var rf = Pooled(results.Select(r => (r.Rolling.FineTunedW, r.DcCapacityW)));
            var rn = Pooled(results.Select(r => (r.Rolling.NoiseFloorW, r.DcCapacityW)));
            rollingRatio = rf / rn;
            var byCategory = string.Join(", ", results.GroupBy(r => r.Category).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
                string.Format(ci, "{0} {1:F2}", g.Key, Pooled(g.Select(r => (r.Rolling.FineTunedW, r.DcCapacityW))) / Pooled(g.Select(r => (r.Rolling.NoiseFloorW, r.DcCapacityW))))));
            var rsf = Pooled(shaded.Select(r => (r.Rolling.FineTunedW, r.DcCapacityW)));
            var gateway = rollingDays == 1 ? " (the gateway's nightly fine-tuning)" : "";
            sb.AppendLine(ci, $"fine-tuned again every {rollingDays} days on the {days} days before each part{gateway}: nRMSE {rf:F2} %, ratio {rollingRatio:F2} (target <= 1.25); " +
                $"shaded sites {rsf:F2} % vs PVWatts {shadedPv:F2} %: {100 * (1 - rsf / shadedPv):F1} % lower; by category: {byCategory}");
            var rb = Pooled(results.Select(r => (r.RollingBoundRmseW, r.DcCapacityW)));
            if (double.IsFinite(rb))
            {
                sb.AppendLine(ci, $"information bound for the same scheme: nRMSE {rb:F2} %, ratio {rb / rn:F2}");
            }
        }
        sb.AppendLine(ci, $"category | sites | fine-tuned nRMSE % | noise floor % | ratio | median site ratio | shading MAE | ratio test days 1-{FleetStudy.EarlyTestDays} | ratio after | ratio seen sky | ratio unseen sky | unseen rows | bound ratio | informed oracle ratio");
        foreach (var c in categories)
        {
            sb.AppendLine(ci, $"{c.Category,-9} | {c.Sites,5} | {c.FineTunedNrmsePct,8:F2} | {c.NoiseFloorNrmsePct,8:F2} | {c.Ratio,5:F2} | {c.MedianSiteRatio,5:F2} | {c.ShadingMae,5:F3} | {c.EarlyRatio,5:F2} | {c.LateRatio,5:F2} | {c.SeenSkyRatio,5:F2} | {c.UnseenSkyRatio,5:F2} | {100 * c.UnseenFraction,4:F0} % | {c.BoundRatio,5:F2} | {c.InformedRatio,5:F2}");
        }
        if (rows.Count > 0)
        {
            sb.AppendLine("days | pretrained+fine-tuned nRMSE % | from scratch nRMSE %");
            foreach (var r in rows)
            {
                sb.AppendLine(ci, $"{r.Days,4} | {r.PretrainedNrmsePct,8:F2} | {r.ScratchNrmsePct,8:F2}");
            }
        }
        return new StudySummary(results.Length, shaded.Length, days, fine, floor, fine / floor, 100 * (1 - shadedFine / shadedPv), mae, categories, rows, sb.ToString())
        {
            RollingDays = rollingDays,
            RollingRatioToNoiseFloor = rollingRatio,
            TestStartDay = testStartDay,
            WeatherErrorSigma = weatherErrorSigma,
            BoundRatioToNoiseFloor = bound / floor,
            WeatherReferenceRatioToNoiseFloor = weatherReference / floor,
        };
    }

    private static void PlotEfficiency(StudySummary s, string path)
    {
        var plt = new ScottPlot.Plot();
        var x = s.Efficiency.Select(r => (double)r.Days).ToArray();
        var a = plt.Add.Scatter(x, s.Efficiency.Select(r => r.PretrainedNrmsePct).ToArray());
        a.LegendText = "pretrained + fine-tuned";
        var b = plt.Add.Scatter(x, s.Efficiency.Select(r => r.ScratchNrmsePct).ToArray());
        b.LegendText = "from scratch";
        plt.ShowLegend();
        plt.XLabel("days of site history");
        plt.YLabel("daylight nRMSE (% of DC capacity)");
        plt.Title("sample efficiency of the pretrained chain");
        plt.SavePng(path, 900, 600);
    }
}
