using System.Globalization;
using PvEdge.Shared.Features;
using PvEdge.Shared.Sites;

// Measures the history checks of finetune and evaluate on a simulated fleet (modelexport fleet --out DIR): how often they speak on
// histories as the fleet wrote them, and how often they find the faults made here (stamps shifted, a plane turned, an export cap).
// historychecks timing DIR DAYS [hourly]   the timing check: correct stamps; AC 1 step late, and an hour late or early; weather 1 step late
// historychecks orient DIR DAYS [START]    the orientation check on one-plane sites: the true file, azimuth mirrored, PVGIS convention, flat
// historychecks limit DIR DAYS CAP         the AC-limit check on windows every 30 days: no cap (CAP 0) or a cap at CAP × the rating
// historychecks units DIR DAYS             the units check on windows every 15 days (none should be refused)
if (args.Length < 3)
{
    Console.Error.WriteLine("usage: historychecks timing|orient|limit|units FLEET-DIR DAYS [hourly | START-DAY | CAP]");
    return 2;
}
var (mode, dir, days) = (args[0], args[1], int.Parse(args[2], CultureInfo.InvariantCulture));
var extra = args.Length > 3 ? args[3] : null;
var sites = Enumerable.Range(1, 100).Where(id => File.Exists(SitePath(id))).ToList();
var read = new Dictionary<int, History>();
switch (mode)
{
    case "timing":
        Timing(extra == "hourly");
        break;
    case "orient":
        Orient(extra is null ? 0 : int.Parse(extra, CultureInfo.InvariantCulture));
        break;
    case "limit":
        Limit(double.Parse(extra ?? "0", CultureInfo.InvariantCulture));
        break;
    case "units":
        Units();
        break;
    default:
        Console.Error.WriteLine($"unknown mode {mode}");
        return 2;
}
return 0;

string SitePath(int id) => Path.Combine(dir, "sites", $"site_{id:0000}.json");

History Window(int id, int startDay, int length, out Site site)
{
    site = SiteLoader.Load(SitePath(id));
    if (!read.TryGetValue(id, out var h))
    {
        read.Clear(); // one site at a time: a year of 15-minute rows is read once, not once per window
        h = read[id] = History.Read(Path.Combine(dir, "history", $"site_{id:0000}.csv"));
    }
    var perDay = (int)(TimeSpan.FromDays(1) / h.Step);
    var times = h.Times.Skip(startDay * perDay).Take(length * perDay).ToArray();
    var columns = h.Columns.ToDictionary(kv => kv.Key, kv => kv.Value.Skip(startDay * perDay).Take(length * perDay).ToArray());
    return new History(times, columns, $"site {id}");
}

static double[] Late(double[] v, int rows) => [.. Enumerable.Range(0, v.Length).Select(i => i - rows >= 0 && i - rows < v.Length ? v[i - rows] : double.NaN)];

void Timing(bool hourly)
{
    var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
    foreach (var id in sites)
    {
        var h = Window(id, 0, days, out var site);
        var (times, cols) = (h.Times.ToArray(), h.Columns.ToDictionary(kv => kv.Key, kv => kv.Value));
        if (hourly)
        {
            var per = (int)(TimeSpan.FromHours(1) / h.Step);
            var m = times.Length / per;
            times = [.. Enumerable.Range(0, m).Select(i => times[i * per])];
            cols = cols.ToDictionary(kv => kv.Key, kv => Enumerable.Range(0, m).Select(i => kv.Value.Skip(i * per).Take(per).Average()).ToArray());
        }
        var hour = hourly ? 1 : 4;
        void Count(string variant, Dictionary<string, double[]> c)
        {
            var found = HistoryTiming.Check(site, new History(times, c, "h"));
            var key = $"{variant}: {(found.Count == 0 ? "nothing" : string.Join(" and ", found.Select(f => f.Column).Distinct()))}";
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        Count("correct stamps", cols);
        foreach (var (variant, rows) in new[] { ("AC 1 step late", 1), ("AC 1 hour late", hour), ("AC 1 hour early", -hour) }.DistinctBy(v => v.Item2))
        {
            Count(variant, new Dictionary<string, double[]>(cols) { ["ac_power_w"] = Late(cols["ac_power_w"], rows) });
        }
        Count("weather 1 step late", cols.ToDictionary(kv => kv.Key, kv => kv.Key is "ac_power_w" or "dc_power_w" or "inverter_state" ? kv.Value : Late(kv.Value, 1)));
    }
    foreach (var (key, n) in counts)
    {
        Console.WriteLine($"{n,4}  {key}");
    }
}

void Orient(int startDay)
{
    foreach (var variant in new[] { "true file", "azimuth mirrored", "PVGIS convention", "tilt 0" })
    {
        var (n, named) = (0, 0);
        foreach (var id in sites)
        {
            var h = Window(id, startDay, days, out var site);
            if (site.Planes.Count != 1)
            {
                continue;
            }
            var p = site.Planes[0];
            var file = variant switch
            {
                "azimuth mirrored" => p with { AzimuthDeg = (360 - p.AzimuthDeg) % 360 },
                "PVGIS convention" => p with { AzimuthDeg = (p.AzimuthDeg + 180) % 360 },
                "tilt 0" => p with { TiltDeg = 0 },
                _ => p,
            };
            n++;
            if (HistoryOrientation.Check(site with { Planes = [file] }, h) is not null)
            {
                named++;
            }
        }
        Console.WriteLine($"{variant}: {named} of {n} one-plane site files named");
    }
}

void Limit(double cap)
{
    var (windows, found, wrong, binding, bindingFound) = (0, 0, 0, 0, 0);
    foreach (var id in sites)
    {
        for (var start = 0; ; start += 30)
        {
            var h = Window(id, start, days, out var site);
            if (h.Rows < days * 96)
            {
                break;
            }
            var capW = cap * site.Inverter.AcCapacityW;
            var cols = h.Columns.ToDictionary(kv => kv.Key, kv => kv.Value);
            var binds = cap > 0 && cols["ac_power_w"].Count(v => v > capW) >= 16;
            if (cap > 0)
            {
                cols["ac_power_w"] = [.. cols["ac_power_w"].Select(v => double.IsFinite(v) ? Math.Min(v, capW) : v)];
            }
            windows++;
            binding += binds ? 1 : 0;
            if (AcLimit.Detect(site, new History([.. h.Times], cols, "h")) is { } f)
            {
                found++;
                bindingFound += binds ? 1 : 0;
                wrong += cap == 0 || Math.Abs((f.LimitW / capW) - 1) > 0.02 ? 1 : 0;
            }
        }
    }
    Console.WriteLine($"windows {windows}: a limit found in {found} ({wrong} wrong); the cap held 4 hours or more in {binding}, found in {bindingFound} of them");
}

void Units()
{
    var (windows, refused) = (0, 0);
    foreach (var id in sites)
    {
        for (var start = 0; ; start += 15)
        {
            var h = Window(id, start, days, out var site);
            if (h.Rows < days * 96)
            {
                break;
            }
            windows++;
            try
            {
                HistoryUnits.Check(site, h);
            }
            catch (PvEdge.Shared.Cli.InputException e)
            {
                refused++;
                Console.WriteLine(e.Message);
            }
        }
    }
    Console.WriteLine($"windows {windows}, refused {refused}");
}
