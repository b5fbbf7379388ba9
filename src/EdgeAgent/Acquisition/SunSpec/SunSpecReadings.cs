namespace PvEdge.EdgeAgent.Acquisition.SunSpec;

/// <summary>Key values of one SunSpec device, as an installer wants to see them (probe) — every field null when not implemented.</summary>
public sealed record SunSpecSummary(
    string? Manufacturer, string? Model, string? Serial, string? Firmware,
    double? RatedPowerW, double? AcPowerW, double? DcPowerW, IReadOnlyList<double?> MpptDcPowerW,
    double? EnergyTotalKwh, int? StateCode)
{
    public string? State => StateCode is { } c ? SunSpecInverterStates.Label(c) : null;
}

/// <summary>Maps decoded SunSpec models to the agent's readings (history column names of formats.md).</summary>
public static class SunSpecReadings
{
    public static readonly int[] InverterModels = [101, 102, 103, 111, 112, 113];

    public static SunSpecSummary Summarise(IReadOnlyList<SunSpecModelValues> models)
    {
        var common = models.FirstOrDefault(m => m.Id == 1);
        var inverter = models.FirstOrDefault(m => InverterModels.Contains(m.Id));
        var nameplate = models.FirstOrDefault(m => m.Id == 120);
        var mppt = models.FirstOrDefault(m => m.Id == 160);
        var perMppt = mppt?.Blocks.Select(b => b.TryGetValue("DCW", out var v) ? v.Number : null).ToList() ?? [];
        return new SunSpecSummary(
            common?.Text("Mn"), common?.Text("Md"), common?.Text("SN"), common?.Text("Vr"),
            nameplate?.Number("WRtg"), inverter?.Number("W"), DcPower(inverter, perMppt), perMppt,
            inverter?.Number("WH") / 1000.0, inverter?.Number("St") is { } st ? (int)st : null);
    }

    private static double? DcPower(SunSpecModelValues? inverter, List<double?> perMppt) =>
        inverter?.Number("DCW") ?? (perMppt.Count > 0 && perMppt.All(p => p.HasValue) ? perMppt.Sum() : null);

    /// <summary>Readings from one unit's decoded models. A quantity whose model is present but whose point is not implemented
    /// comes out Missing with the reason; quantities of absent models are not reported.</summary>
    public static List<Reading> ToReadings(IReadOnlyList<SunSpecModelValues> models, DateTimeOffset timestampUtc, string source)
    {
        var readings = new List<Reading>();
        void Add(string quantity, SunSpecValue value, double factor = 1.0) =>
            readings.Add(value.Number is { } n
                ? Reading.Good(quantity, n * factor, timestampUtc, source)
                : Reading.Missing(quantity, timestampUtc, source, $"{value.MissingReason ?? "no value"}"));

        if (models.FirstOrDefault(m => InverterModels.Contains(m.Id)) is { } inverter)
        {
            Add("ac_power_w", inverter["W"]);
            var mppt = models.FirstOrDefault(m => m.Id == 160);
            var dc = inverter["DCW"];
            if (dc.IsMissing && mppt is not null && mppt.Blocks.Count > 0 && mppt.Blocks.All(b => b.TryGetValue("DCW", out var v) && !v.IsMissing))
            {
                dc = new SunSpecValue(mppt.Blocks.Sum(b => b["DCW"].Number!.Value), null, null);
            }
            Add("dc_power_w", dc);
            Add("energy_total_kwh", inverter["WH"], 1.0 / 1000);
            Add("inverter_state", inverter["St"]);
        }
        if (models.FirstOrDefault(m => m.Id == 160) is { } tracker)
        {
            for (var k = 0; k < tracker.Blocks.Count; k++)
            {
                Add($"dc_power_w__mppt{k + 1}", tracker.Blocks[k].TryGetValue("DCW", out var v) ? v : SunSpecValue.Missing("no DCW point"));
            }
        }
        if (models.FirstOrDefault(m => m.Id == 302) is { Blocks.Count: > 0 } irradiance)
        {
            Add("poa_wm2", irradiance.Blocks[0]["POAI"]);
            Add("ghi_wm2", irradiance.Blocks[0]["GHI"]);
        }
        if (models.FirstOrDefault(m => m.Id == 303) is { Blocks.Count: > 0 } module)
        {
            Add("temp_module_c", module.Blocks[0]["TmpBOM"]);
        }
        if (models.FirstOrDefault(m => m.Id == 307) is { } met)
        {
            Add("temp_air_c", met["TmpAmb"]);
            Add("wind_speed_ms", met["WndSpd"]);
        }
        if (models.FirstOrDefault(m => m.Id == 308) is { } mini)
        {
            foreach (var (quantity, point) in new[] { ("ghi_wm2", "GHI"), ("temp_module_c", "TmpBOM"), ("temp_air_c", "TmpAmb"), ("wind_speed_ms", "WndSpd") })
            {
                if (readings.All(r => r.Quantity != quantity))
                {
                    Add(quantity, mini[point]);
                }
            }
        }
        return readings;
    }
}
