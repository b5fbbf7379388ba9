using Microsoft.Extensions.Time.Testing;
using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Acquisition.SunSpec;
using PvEdge.Modbus.Client;

namespace PvEdge.EdgeAgent.Tests.Acquisition.SunSpec;

/// <summary>Models 101, 102 (integer inverters), 111, 112 (float inverters), 120 (nameplate) and 308 (mini met) at register level:
/// a register image with the 'SunS' marker at 40000, each model's header (ID, L) and body laid out as the SunSpec model
/// definitions (sunspec/models json/model_N.json) place the points, discovered and decoded as the agent does, then mapped to
/// readings. Offsets in comments are from the first register after ID and L.</summary>
public sealed class SunSpecModelDecodingTests
{
    /// <summary>A whole unit's holding registers in memory: what a device would answer, without a socket.</summary>
    private sealed class RegisterImage : IModbusRegisterReader
    {
        private readonly ushort[] _registers = new ushort[65536];
        private int _next = 40002;

        public RegisterImage()
        {
            (_registers[40000], _registers[40001]) = (0x5375, 0x6E53); // "SunS"
            _registers[40002] = 0xFFFF; // end of the chain until a model is added
        }

        public string Endpoint => "image";

        /// <summary>Appends a model: ID, L = body length, body; then the end marker.</summary>
        public RegisterImage Add(int id, ushort[] body)
        {
            _registers[_next] = (ushort)id;
            _registers[_next + 1] = (ushort)body.Length;
            body.CopyTo(_registers, _next + 2);
            _next += 2 + body.Length;
            (_registers[_next], _registers[_next + 1]) = (0xFFFF, 0);
            return this;
        }

        public Task ReadHoldingRegistersAsync(byte unitId, ushort address, Memory<ushort> destination, CancellationToken cancellationToken)
        {
            _registers.AsSpan(address, destination.Length).CopyTo(destination.Span);
            return Task.CompletedTask;
        }

        public Task ReadInputRegistersAsync(byte unitId, ushort address, Memory<ushort> destination, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }

    private static ushort S(int value) => unchecked((ushort)(short)value);

    private static void Float(ushort[] body, int offset, float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        (body[offset], body[offset + 1]) = ((ushort)(bits >> 16), (ushort)bits);
    }

    private static void NaN(ushort[] body, int offset) => (body[offset], body[offset + 1]) = (0x7FC0, 0x0000);

    /// <summary>Discovers the image's model chain and decodes every model, as the agent and <c>probe</c> do.</summary>
    private static async Task<List<SunSpecModelValues>> DecodeAsync(RegisterImage image)
    {
        var device = await SunSpecDiscovery.DiscoverAsync(image, 1, CancellationToken.None);
        Assert.NotNull(device);
        var models = new List<SunSpecModelValues>();
        foreach (var location in device.Models)
        {
            models.Add((await SunSpecDiscovery.ReadModelAsync(image, 1, location, SunSpecModelCatalog.Default, CancellationToken.None))!);
        }
        return models;
    }

    private static Dictionary<string, Reading> Readings(IReadOnlyList<SunSpecModelValues> models) =>
        SunSpecReadings.ToReadings(models, DateTimeOffset.UnixEpoch, "test").ToDictionary(r => r.Quantity);

    private static void AssertNotImplemented(SunSpecModelValues model, params string[] points)
    {
        foreach (var point in points)
        {
            Assert.True(model[point].IsMissing, $"model {model.Id} point {point} should be missing, is {model[point]}");
            Assert.Equal("not implemented", model[point].MissingReason);
        }
    }

    /// <summary>A single-phase inverter (model 101) as a typical 5 kW device fills it: phases B and C, line voltages,
    /// VA and heat-sink temperature not implemented.</summary>
    private static ushort[] Inverter101()
    {
        var b = new ushort[50];
        b[0] = 1253; // A
        b[1] = 1253; // AphA
        (b[2], b[3]) = (0xFFFF, 0xFFFF); // AphB, AphC: uint16 not implemented
        b[4] = S(-2); // A_SF
        (b[5], b[6], b[7]) = (0xFFFF, 0xFFFF, 0xFFFF); // PPVphAB..CA
        b[8] = 2304; // PhVphA
        (b[9], b[10]) = (0xFFFF, 0xFFFF);
        b[11] = S(-1); // V_SF
        b[12] = 2875; // W
        b[13] = 0; // W_SF
        b[14] = 5002; // Hz
        b[15] = S(-2); // Hz_SF
        b[16] = 0x8000; // VA: int16 not implemented
        b[17] = 0;
        b[18] = S(-300); // VAr
        b[19] = 0; // VAr_SF
        b[20] = S(-987); // PF
        b[21] = S(-1); // PF_SF
        (b[22], b[23]) = (0x0001, 0xE240); // WH = 123456
        b[24] = 1; // WH_SF: ×10 → 1,234,560 Wh
        b[25] = 812; // DCA
        b[26] = S(-2);
        b[27] = 3605; // DCV
        b[28] = S(-1);
        b[29] = 2990; // DCW
        b[30] = 0;
        b[31] = 452; // TmpCab
        b[32] = 0x8000; // TmpSnk
        (b[33], b[34]) = (0x8000, 0x8000);
        b[35] = S(-1); // Tmp_SF
        b[36] = 4; // St: MPPT
        b[37] = 0xFFFF; // StVnd
        (b[38], b[39]) = (0, 0); // Evt1: no events
        (b[40], b[41]) = (0xFFFF, 0xFFFF); // Evt2: bitfield32 not implemented
        for (var o = 42; o < 50; o++)
        {
            b[o] = 0xFFFF;
        }
        return b;
    }

    [Fact]
    public async Task Model101_SinglePhaseInteger_ScaleFactorsAppliedAndSentinelsMissing()
    {
        var m = Assert.Single(await DecodeAsync(new RegisterImage().Add(101, Inverter101())));
        Assert.Equal(101, m.Id);
        Assert.Equal("inverter_single_phase", m.Name);
        Assert.Equal(40002, m.Address);
        Assert.Equal(12.53, m.Number("A")!.Value, 9);
        Assert.Equal(12.53, m.Number("AphA")!.Value, 9);
        Assert.Equal(230.4, m.Number("PhVphA")!.Value, 9);
        Assert.Equal(2875, m.Number("W"));
        Assert.Equal(50.02, m.Number("Hz")!.Value, 9);
        Assert.Equal(-300, m.Number("VAr"));
        Assert.Equal(-98.7, m.Number("PF")!.Value, 9);
        Assert.Equal(1_234_560, m.Number("WH")!.Value, 6);
        Assert.Equal(8.12, m.Number("DCA")!.Value, 9);
        Assert.Equal(360.5, m.Number("DCV")!.Value, 9);
        Assert.Equal(2990, m.Number("DCW"));
        Assert.Equal(45.2, m.Number("TmpCab")!.Value, 9);
        Assert.Equal(4, m.Number("St"));
        Assert.Equal(0, m.Number("Evt1"));
        AssertNotImplemented(m, "AphB", "AphC", "PPVphAB", "PPVphBC", "PPVphCA", "PhVphB", "PhVphC", "VA", "TmpSnk", "TmpTrns", "TmpOt",
            "StVnd", "Evt2", "EvtVnd1", "EvtVnd4");

        var readings = Readings([m]);
        Assert.Equal(2875, readings["ac_power_w"].Value);
        Assert.Equal(2990, readings["dc_power_w"].Value);
        Assert.Equal(1234.56, readings["energy_total_kwh"].Value!.Value, 9);
        Assert.Equal(4, readings["inverter_state"].Value);
        Assert.All(readings.Values, r => Assert.Equal(ReadingQuality.Good, r.Quality));
    }

    [Fact]
    public async Task Model102_SplitPhaseInteger_PositiveScaleFactorAndMissingScaleFactorNamed()
    {
        var b = Inverter101();
        (b[2], b[9]) = (1249, 2298); // split phase: phase B current and voltage implemented
        b[5] = 4601; // PPVphAB
        (b[12], b[13]) = (512, 1); // W = 512 × 10
        b[24] = 0x8000; // WH_SF not implemented: WH has no meaning
        b[36] = 0xFFFF; // St not implemented
        var m = Assert.Single(await DecodeAsync(new RegisterImage().Add(102, b)));
        Assert.Equal("inverter_split_phase", m.Name);
        Assert.Equal(12.49, m.Number("AphB")!.Value, 9);
        Assert.Equal(229.8, m.Number("PhVphB")!.Value, 9);
        Assert.Equal(460.1, m.Number("PPVphAB")!.Value, 9);
        Assert.Equal(5120, m.Number("W"));
        Assert.Null(m.Number("WH"));
        Assert.Equal("scale factor WH_SF of model 102 not implemented", m["WH"].MissingReason);
        AssertNotImplemented(m, "AphC", "PhVphC", "St");

        var readings = Readings([m]);
        Assert.Equal(5120, readings["ac_power_w"].Value);
        Assert.Equal(ReadingQuality.Missing, readings["energy_total_kwh"].Quality);
        Assert.Null(readings["energy_total_kwh"].Value);
        Assert.Contains("WH_SF", readings["energy_total_kwh"].Reason, StringComparison.Ordinal);
        Assert.Equal(ReadingQuality.Missing, readings["inverter_state"].Quality);
        Assert.Equal("not implemented", readings["inverter_state"].Reason);
    }

    /// <summary>A single-phase float inverter (model 111): every measurement a float32 in two registers, high word first;
    /// not-implemented points hold NaN (0x7FC00000).</summary>
    private static ushort[] Inverter111()
    {
        var b = new ushort[60];
        Float(b, 0, 12.5f); // A
        Float(b, 2, 12.5f); // AphA
        NaN(b, 4); // AphB
        NaN(b, 6); // AphC
        NaN(b, 8); // PPVphAB
        NaN(b, 10);
        NaN(b, 12);
        Float(b, 14, 230.25f); // PhVphA
        NaN(b, 16);
        NaN(b, 18);
        Float(b, 20, 2875.5f); // W
        Float(b, 22, 50.0f); // Hz
        NaN(b, 24); // VA
        Float(b, 26, -125.75f); // VAr
        Float(b, 28, 99.5f); // PF
        Float(b, 30, 1_234_567f); // WH
        Float(b, 32, 8.25f); // DCA
        Float(b, 34, 360.5f); // DCV
        Float(b, 36, 2990.75f); // DCW
        Float(b, 38, 41.5f); // TmpCab
        NaN(b, 40); // TmpSnk
        NaN(b, 42);
        NaN(b, 44);
        b[46] = 5; // St: THROTTLED
        b[47] = 0xFFFF; // StVnd
        (b[48], b[49]) = (0x0000, 0x0080); // Evt1: OVER_TEMP (bit 7)
        for (var o = 50; o < 60; o++)
        {
            b[o] = 0xFFFF;
        }
        return b;
    }

    [Fact]
    public async Task Model111_SinglePhaseFloat_FloatsAtSpecOffsetsAndNaNMissing()
    {
        var m = Assert.Single(await DecodeAsync(new RegisterImage().Add(111, Inverter111())));
        Assert.Equal("inverter_single_phase_float", m.Name);
        Assert.Equal(12.5, m.Number("A"));
        Assert.Equal(12.5, m.Number("AphA"));
        Assert.Equal(230.25, m.Number("PhVphA"));
        Assert.Equal(2875.5, m.Number("W"));
        Assert.Equal(50.0, m.Number("Hz"));
        Assert.Equal(-125.75, m.Number("VAr"));
        Assert.Equal(99.5, m.Number("PF"));
        Assert.Equal(1_234_567, m.Number("WH"));
        Assert.Equal(8.25, m.Number("DCA"));
        Assert.Equal(360.5, m.Number("DCV"));
        Assert.Equal(2990.75, m.Number("DCW"));
        Assert.Equal(41.5, m.Number("TmpCab"));
        Assert.Equal(5, m.Number("St"));
        Assert.Equal(0x80, m.Number("Evt1"));
        AssertNotImplemented(m, "AphB", "AphC", "PPVphAB", "PhVphB", "PhVphC", "VA", "TmpSnk", "TmpTrns", "TmpOt", "StVnd", "Evt2", "EvtVnd3");

        var readings = Readings([m]);
        Assert.Equal(2875.5, readings["ac_power_w"].Value);
        Assert.Equal(2990.75, readings["dc_power_w"].Value);
        Assert.Equal(1234.567, readings["energy_total_kwh"].Value!.Value, 9);
        Assert.Equal(5, readings["inverter_state"].Value);
    }

    [Fact]
    public async Task Model112_SplitPhaseFloat_NaNPowerMissingAndDcFromTrackers()
    {
        var b = Inverter111();
        Float(b, 4, 11.75f); // AphB
        Float(b, 8, 460.5f); // PPVphAB
        Float(b, 16, 229.5f); // PhVphB
        NaN(b, 20); // W not implemented
        NaN(b, 36); // DCW not implemented: the trackers' sum stands in
        b[46] = 4;
        var mppt = new ushort[8 + 2 * 20];
        mppt[2] = 0; // DCW_SF
        mppt[6] = 2; // N
        mppt[8 + 11] = 1500;
        mppt[28 + 11] = 1250;
        var models = await DecodeAsync(new RegisterImage().Add(112, b).Add(160, mppt));
        var m = models[0];
        Assert.Equal("inverter_split_phase_float", m.Name);
        Assert.Equal(11.75, m.Number("AphB"));
        Assert.Equal(460.5, m.Number("PPVphAB"));
        Assert.Equal(229.5, m.Number("PhVphB"));
        AssertNotImplemented(m, "W", "DCW", "AphC", "PhVphC");

        var readings = Readings(models);
        Assert.Equal(ReadingQuality.Missing, readings["ac_power_w"].Quality);
        Assert.Null(readings["ac_power_w"].Value);
        Assert.Equal("not implemented", readings["ac_power_w"].Reason);
        Assert.Equal(2750, readings["dc_power_w"].Value);
        Assert.Equal(1500, readings["dc_power_w__mppt1"].Value);
        Assert.Equal(1234.567, readings["energy_total_kwh"].Value!.Value, 9);
        Assert.Equal(4, readings["inverter_state"].Value);
    }

    [Theory]
    [InlineData(500, 1, 5000.0)] // 500 × 10 W
    [InlineData(4600, 0, 4600.0)]
    [InlineData(36, 2, 3600.0)]
    public async Task Model120_RatedPower_WRtgTimesItsScaleFactor(int wrtg, int sf, double expectedW)
    {
        var b = new ushort[26];
        b.AsSpan().Fill(0x8000);
        b[0] = 4; // DERTyp PV
        (b[1], b[2]) = ((ushort)wrtg, S(sf)); // WRtg, WRtg_SF
        b[3] = 0xFFFF; // VARtg: uint16 not implemented
        b[25] = 0; // pad
        var models = await DecodeAsync(new RegisterImage().Add(1, new ushort[66]).Add(120, b).Add(101, Inverter101()));
        var nameplate = models.Single(m => m.Id == 120);
        Assert.Equal("nameplate", nameplate.Name);
        Assert.Equal(4, nameplate.Number("DERTyp"));
        Assert.Equal(expectedW, nameplate.Number("WRtg"));
        AssertNotImplemented(nameplate, "VARtg", "VArRtgQ1", "PFRtgQ4");
        Assert.Equal(expectedW, SunSpecReadings.Summarise(models).RatedPowerW);
    }

    [Fact]
    public async Task Model120_RatedPowerScaleFactorNotImplemented_NoRatedPower()
    {
        var b = new ushort[26];
        (b[0], b[1], b[2]) = (4, 5000, 0x8000);
        var models = await DecodeAsync(new RegisterImage().Add(120, b).Add(101, Inverter101()));
        var nameplate = models.Single(m => m.Id == 120);
        Assert.Null(nameplate.Number("WRtg"));
        Assert.Equal("scale factor WRtg_SF of model 120 not implemented", nameplate["WRtg"].MissingReason);
        Assert.Null(SunSpecReadings.Summarise(models).RatedPowerW);
    }

    [Fact]
    public async Task Model308_MiniMet_ValuesWithFixedScaleFactorsReachReadings()
    {
        var m = Assert.Single(await DecodeAsync(new RegisterImage().Add(308, [812, S(452), S(-35), 4])));
        Assert.Equal("mini_met", m.Name);
        Assert.Equal(812, m.Number("GHI"));
        Assert.Equal(45.2, m.Number("TmpBOM")!.Value, 9);
        Assert.Equal(-3.5, m.Number("TmpAmb")!.Value, 9);
        Assert.Equal(4, m.Number("WndSpd"));

        var readings = Readings([m]);
        Assert.Equal(new[] { "ghi_wm2", "temp_air_c", "temp_module_c", "wind_speed_ms" }, readings.Keys.Order());
        Assert.Equal(812, readings["ghi_wm2"].Value);
        Assert.Equal(45.2, readings["temp_module_c"].Value!.Value, 9);
        Assert.Equal(-3.5, readings["temp_air_c"].Value!.Value, 9);
        Assert.Equal(4, readings["wind_speed_ms"].Value);
    }

    [Fact]
    public async Task Model308_AllNotImplemented_EveryReadingMissingNotZero()
    {
        var m = Assert.Single(await DecodeAsync(new RegisterImage().Add(308, [0xFFFF, 0x8000, 0x8000, 0xFFFF])));
        AssertNotImplemented(m, "GHI", "TmpBOM", "TmpAmb", "WndSpd");
        var readings = Readings([m]);
        Assert.Equal(4, readings.Count);
        Assert.All(readings.Values, r =>
        {
            Assert.Equal(ReadingQuality.Missing, r.Quality);
            Assert.Null(r.Value);
            Assert.Equal("not implemented", r.Reason);
        });
    }

    [Fact]
    public async Task Model308_BesideBaseMet_FillsOnlyWhatTheRicherModelsLack()
    {
        // 307 gives ambient temperature and wind; 308 adds GHI and module temperature, and its own TmpAmb/WndSpd are not used twice
        var met = new ushort[11];
        met.AsSpan().Fill(0x8000);
        (met[0], met[3]) = (S(215), 3); // TmpAmb 21.5 °C, WndSpd 3 m/s
        var models = await DecodeAsync(new RegisterImage().Add(307, met).Add(308, [640, S(388), S(199), 9]));
        var readings = SunSpecReadings.ToReadings(models, DateTimeOffset.UnixEpoch, "met");
        Assert.Equal(4, readings.Count);
        var byQuantity = readings.ToDictionary(r => r.Quantity);
        Assert.Equal(21.5, byQuantity["temp_air_c"].Value!.Value, 9);
        Assert.Equal(3, byQuantity["wind_speed_ms"].Value);
        Assert.Equal(640, byQuantity["ghi_wm2"].Value);
        Assert.Equal(38.8, byQuantity["temp_module_c"].Value!.Value, 9);
    }

    [Fact]
    public async Task ReadingSource_FloatInverterAndMiniMet_PolledAndMappedToHistoryColumns()
    {
        // the agent's own path: discovery, the models it polls (111, 308 among them), readings named as history columns
        var image = new RegisterImage().Add(1, new ushort[66]).Add(111, Inverter111()).Add(308, [812, S(452), S(-35), 4]);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 6, 21, 12, 0, 0, TimeSpan.Zero));
        var source = new SunSpecReadingSource("inverter", image, [1], TimeSpan.FromSeconds(10), clock);
        var readings = (await source.ReadAsync(CancellationToken.None)).ToDictionary(r => r.Quantity);
        Assert.Equal(2875.5, readings["ac_power_w"].Value);
        Assert.Equal(5, readings["inverter_state"].Value);
        Assert.Equal(812, readings["ghi_wm2"].Value);
        Assert.Equal(-3.5, readings["temp_air_c"].Value!.Value, 9);
        Assert.All(readings.Values, r => Assert.Equal(("inverter/unit1", clock.GetUtcNow()), (r.Source, r.TimestampUtc)));
    }
}
