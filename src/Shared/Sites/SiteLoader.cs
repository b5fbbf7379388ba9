using System.Globalization;
using System.Text.Json;
using PvEdge.Shared.Cli;
using PvEdge.Shared.Physics;

namespace PvEdge.Shared.Sites;

/// <summary>Reads and validates a site file (formats.md). Every problem is an <see cref="InputException"/> with one line:
/// <c>site.json: planes[0].tilt_deg: expected 0..90, got 120</c>. Unknown keys are rejected (a typo is never ignored).</summary>
public static class SiteLoader
{
    /// <summary>How site files are parsed: comments and trailing commas allowed (installers write them by hand).</summary>
    public static JsonDocumentOptions DocumentOptions { get; } = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    private static readonly string[] SiteKeys =
        ["name", "latitude", "longitude", "altitude_m", "timezone", "albedo", "transposition", "iam", "cell_temperature", "losses_pct", "planes", "inverter"];

    private static readonly string[] PlaneKeys = ["name", "tilt_deg", "azimuth_deg", "dc_kwp", "gamma_pdc_per_c", "horizon"];
    private static readonly string[] InverterKeys = ["ac_kw", "dc_ac_ratio", "eta_nominal"];
    private static readonly string[] HorizonKeys = ["azimuth_deg", "elevation_deg"];

    /// <summary>Loads a site file; <paramref name="path"/> is also the name used in error messages.</summary>
    public static Site Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw InputException.InFile(path, $"cannot read the site file ({ex.Message})");
        }
        return Parse(text, path);
    }

    /// <summary>Parses site JSON text; <paramref name="fileName"/> names it in error messages.</summary>
    public static Site Parse(string json, string fileName)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException ex)
        {
            var line = (ex.LineNumber ?? 0) + 1;
            var col = (ex.BytePositionInLine ?? 0) + 1;
            throw InputException.InFile(fileName, $"line {line}, column {col}: invalid JSON");
        }
        using (doc)
        {
            return new Reader(fileName).Site(doc.RootElement);
        }
    }

    private sealed class Reader(string file)
    {
        private InputException Error(string key, string message) => InputException.InFile(file, $"{key}: {message}");

        public Site Site(JsonElement root)
        {
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw InputException.InFile(file, "expected a JSON object at the top level");
            }
            RejectUnknown(root, "", SiteKeys);
            var lat = Number(root, "latitude", -90, 90, required: true, fallback: 0);
            var lon = Number(root, "longitude", -180, 180, required: true, fallback: 0);
            var alt = Number(root, "altitude_m", -500, 9000, required: false, fallback: SiteDefaults.AltitudeM);
            var albedo = Number(root, "albedo", 0, 1, required: false, fallback: SiteDefaults.Albedo);
            var losses = Number(root, "losses_pct", 0, 100, required: false, fallback: SiteDefaults.LossesPct);
            var name = String(root, "name", "name") ?? "site";
            var tz = String(root, "timezone", "timezone");
            if (tz is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(tz, out _))
            {
                throw Error("timezone", $"expected an IANA time zone such as \"Europe/Berlin\", got \"{tz}\"");
            }
            var transposition = (String(root, "transposition", "transposition") ?? "perez") switch
            {
                "perez" => TranspositionModel.Perez,
                "haydavies" => TranspositionModel.HayDavies,
                "isotropic" => TranspositionModel.Isotropic,
                var other => throw Error("transposition", $"expected one of perez, haydavies, isotropic, got \"{other}\""),
            };
            var iam = (String(root, "iam", "iam") ?? "physical") switch
            {
                "physical" => IamModel.Physical,
                "ashrae" => IamModel.Ashrae,
                "none" => IamModel.None,
                var other => throw Error("iam", $"expected one of physical, ashrae, none, got \"{other}\""),
            };
            var cellTemperature = CellTemperature(root);
            if (!root.TryGetProperty("planes", out var planesEl))
            {
                throw Error("planes", "missing required key (expected a list of at least one plane)");
            }
            if (planesEl.ValueKind != JsonValueKind.Array || planesEl.GetArrayLength() == 0)
            {
                throw Error("planes", $"expected a list of at least one plane, got {Describe(planesEl)}");
            }
            var planes = new List<Plane>();
            var i = 0;
            foreach (var p in planesEl.EnumerateArray())
            {
                planes.Add(Plane(p, $"planes[{i}]", i, planesEl.GetArrayLength()));
                i++;
            }
            var duplicate = planes.GroupBy(p => p.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null)
            {
                throw Error("planes", $"expected unique plane names, got \"{duplicate.Key}\" twice");
            }
            var inverter = Inverter(root, planes.Sum(p => p.DcKwp));
            return new Site(name, lat, lon, alt, tz, albedo, transposition, iam, cellTemperature, losses, planes, inverter);
        }

        private CellTemperatureModel CellTemperature(JsonElement root)
        {
            if (!root.TryGetProperty("cell_temperature", out var el))
            {
                return CellTemperatureModel.SapmOpenRackGlassPolymer;
            }
            if (el.ValueKind != JsonValueKind.Object)
            {
                throw Error("cell_temperature", $"expected an object, got {Describe(el)}");
            }
            var model = String(el, "model", "cell_temperature.model") ?? "sapm";
            switch (model)
            {
                case "sapm":
                    RejectUnknown(el, "cell_temperature.", ["model", "a", "b", "delta_t"]);
                    var d = CellTemperatureModel.SapmOpenRackGlassPolymer;
                    return CellTemperatureModel.Sapm(
                        Number(el, "a", -10, 0, false, d.A, "cell_temperature."),
                        Number(el, "b", -1, 0, false, d.B, "cell_temperature."),
                        Number(el, "delta_t", 0, 30, false, d.DeltaTC, "cell_temperature."));
                case "faiman":
                    RejectUnknown(el, "cell_temperature.", ["model", "u0", "u1"]);
                    var f = CellTemperatureModel.FaimanDefault;
                    return CellTemperatureModel.Faiman(
                        Number(el, "u0", 0.1, 200, false, f.U0, "cell_temperature."),
                        Number(el, "u1", 0, 100, false, f.U1, "cell_temperature."));
                default:
                    throw Error("cell_temperature.model", $"expected one of sapm, faiman, got \"{model}\"");
            }
        }

        private Plane Plane(JsonElement el, string key, int index, int count)
        {
            if (el.ValueKind != JsonValueKind.Object)
            {
                throw Error(key, $"expected an object, got {Describe(el)}");
            }
            var prefix = key + ".";
            RejectUnknown(el, prefix, PlaneKeys);
            var name = String(el, "name", prefix + "name") ?? (count == 1 ? "plane" : $"plane{index + 1}");
            if (name.Length == 0 || name.Any(c => char.IsWhiteSpace(c) || c == ','))
            {
                throw Error(prefix + "name", $"expected a non-empty name without spaces or commas, got \"{name}\"");
            }
            var tilt = Number(el, "tilt_deg", 0, 90, true, 0, prefix);
            var azimuth = Number(el, "azimuth_deg", 0, 360, true, 0, prefix);
            var kwp = Number(el, "dc_kwp", 0, 1e6, true, 0, prefix, exclusiveMin: true);
            var gamma = Number(el, "gamma_pdc_per_c", -0.02, 0.0, false, SiteDefaults.GammaPdcPerC, prefix);
            var horizon = HorizonProfile.Flat;
            if (el.TryGetProperty("horizon", out var h))
            {
                if (h.ValueKind != JsonValueKind.Array)
                {
                    throw Error(prefix + "horizon", $"expected a list of {{\"azimuth_deg\", \"elevation_deg\"}} points, got {Describe(h)}");
                }
                var points = new List<HorizonPoint>();
                var j = 0;
                foreach (var p in h.EnumerateArray())
                {
                    var pk = $"{prefix}horizon[{j}]";
                    if (p.ValueKind != JsonValueKind.Object)
                    {
                        throw Error(pk, $"expected an object with azimuth_deg and elevation_deg, got {Describe(p)}");
                    }
                    RejectUnknown(p, pk + ".", HorizonKeys);
                    points.Add(new HorizonPoint(Number(p, "azimuth_deg", 0, 360, true, 0, pk + "."), Number(p, "elevation_deg", 0, 90, true, 0, pk + ".")));
                    j++;
                }
                horizon = new HorizonProfile(points);
            }
            return new Plane(name, tilt, azimuth, kwp, gamma, horizon);
        }

        private InverterSpec Inverter(JsonElement root, double dcKwp)
        {
            if (!root.TryGetProperty("inverter", out var el))
            {
                return new InverterSpec(dcKwp / SiteDefaults.DcAcRatio, SiteDefaults.EtaNominal);
            }
            if (el.ValueKind != JsonValueKind.Object)
            {
                throw Error("inverter", $"expected an object, got {Describe(el)}");
            }
            RejectUnknown(el, "inverter.", InverterKeys);
            var eta = Number(el, "eta_nominal", 0.5, 1.0, false, SiteDefaults.EtaNominal, "inverter.");
            var hasAc = el.TryGetProperty("ac_kw", out _);
            var hasRatio = el.TryGetProperty("dc_ac_ratio", out _);
            if (hasAc && hasRatio)
            {
                throw Error("inverter", "expected either ac_kw or dc_ac_ratio, not both");
            }
            var acKw = hasAc
                ? Number(el, "ac_kw", 0, 1e6, true, 0, "inverter.", exclusiveMin: true)
                : dcKwp / Number(el, "dc_ac_ratio", 0.1, 10, false, SiteDefaults.DcAcRatio, "inverter.");
            return new InverterSpec(acKw, eta);
        }

        private double Number(JsonElement obj, string name, double min, double max, bool required, double fallback, string prefix = "",
            bool exclusiveMin = false)
        {
            if (!obj.TryGetProperty(name, out var el))
            {
                return required ? throw Error(prefix + name, $"missing required key (expected a number {Range(min, max, exclusiveMin)})") : fallback;
            }
            if (el.ValueKind != JsonValueKind.Number || !el.TryGetDouble(out var v) || !double.IsFinite(v))
            {
                throw Error(prefix + name, $"expected a number {Range(min, max, exclusiveMin)}, got {Describe(el)}");
            }
            if (v < min || v > max || (exclusiveMin && v <= min))
            {
                throw Error(prefix + name, $"expected {Range(min, max, exclusiveMin)}, got {v.ToString(CultureInfo.InvariantCulture)}");
            }
            return v;
        }

        private string? String(JsonElement obj, string name, string key)
        {
            if (!obj.TryGetProperty(name, out var el) || el.ValueKind == JsonValueKind.Null)
            {
                return null;
            }
            return el.ValueKind == JsonValueKind.String ? el.GetString() : throw Error(key, $"expected a string, got {Describe(el)}");
        }

        private void RejectUnknown(JsonElement obj, string prefix, string[] known)
        {
            foreach (var p in obj.EnumerateObject())
            {
                if (Array.IndexOf(known, p.Name) < 0)
                {
                    throw Error(prefix + p.Name, $"unknown key (expected one of {string.Join(", ", known)})");
                }
            }
        }

        private static string Range(double min, double max, bool exclusiveMin = false) => exclusiveMin
            ? $"> {min.ToString(CultureInfo.InvariantCulture)} and <= {max.ToString(CultureInfo.InvariantCulture)}"
            : $"{min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}";

        private static string Describe(JsonElement el) => el.ValueKind switch
        {
            JsonValueKind.String => $"\"{el.GetString()}\"",
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "a list",
            JsonValueKind.Null => "null",
            _ => el.GetRawText(),
        };
    }
}
