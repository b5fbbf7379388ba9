using PvEdge.EdgeAgent.Acquisition.SunSpec;

namespace PvEdge.EdgeAgent.Tests.Acquisition.SunSpec;

public class SunSpecDecoderTests
{
    private static ushort[] Inverter103(Action<ushort[]> edit)
    {
        var body = new ushort[50];
        body[12] = 2500; // W
        body[13] = 0; // W_SF
        body[22] = 0x0001; // WH high word
        body[23] = 0x86A0; // WH low word = 100000
        body[24] = unchecked((ushort)-1); // WH_SF = -1 → 10000.0 Wh
        body[27] = 3605; // DCV
        body[28] = unchecked((ushort)-1); // DCV_SF
        body[29] = 2600; // DCW
        body[30] = 0;
        body[36] = 5; // THROTTLED
        edit(body);
        return body;
    }

    private static SunSpecModelValues Decode(int id, ushort[] body) => SunSpecDecoder.Decode(SunSpecModelCatalog.Default[id], 40070, body);

    [Fact]
    public void Decode_Model103_AppliesScaleFactors()
    {
        var m = Decode(103, Inverter103(_ => { }));
        Assert.Equal(2500, m.Number("W"));
        Assert.Equal(10000.0, m.Number("WH")!.Value, 6);
        Assert.Equal(360.5, m.Number("DCV")!.Value, 6);
        Assert.Equal("THROTTLED", SunSpecInverterStates.Label((int)m.Number("St")!.Value));
    }

    [Theory]
    [InlineData(12, 0x8000, "W")]      // int16 not implemented
    [InlineData(27, 0xFFFF, "DCV")]    // uint16 not implemented
    [InlineData(36, 0xFFFF, "St")]     // enum16 not implemented
    public void Decode_SentinelValue_IsMissingNotZero(int offset, int raw, string point)
    {
        var m = Decode(103, Inverter103(b => b[offset] = (ushort)raw));
        Assert.True(m[point].IsMissing);
        Assert.Null(m.Number(point));
        Assert.Equal("not implemented", m[point].MissingReason);
    }

    [Fact]
    public void Decode_ScaleFactorNotImplemented_ValueMissingNamingTheScaleFactor()
    {
        var m = Decode(103, Inverter103(b => b[13] = 0x8000));
        Assert.Null(m.Number("W"));
        Assert.Contains("W_SF", m["W"].MissingReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_Acc32Zero_IsMissing()
    {
        var m = Decode(103, Inverter103(b => (b[22], b[23]) = (0, 0)));
        Assert.True(m["WH"].IsMissing);
    }

    [Fact]
    public void Decode_Float113_NaNIsMissing()
    {
        var body = new ushort[60];
        var w = BitConverter.SingleToUInt32Bits(1234.5f);
        (body[20], body[21]) = ((ushort)(w >> 16), (ushort)w);
        (body[36], body[37]) = (0x7FC0, 0x0000); // DCW NaN
        body[46] = 4;
        var m = Decode(113, body);
        Assert.Equal(1234.5, m.Number("W"));
        Assert.True(m["DCW"].IsMissing);
        Assert.Equal(4, m.Number("St"));
    }

    [Fact]
    public void Decode_Model160_RepeatingBlocksUseFixedScaleFactors()
    {
        var body = new ushort[8 + 2 * 20];
        body[2] = unchecked((ushort)-1); // DCW_SF
        body[6] = 2;
        body[8 + 11] = 21005;
        body[28 + 11] = 0xFFFF; // MPPT 2 DCW not implemented
        var m = Decode(160, body);
        Assert.Equal(2, m.Blocks.Count);
        Assert.Equal(2100.5, m.Blocks[0]["DCW"].Number!.Value, 6);
        Assert.True(m.Blocks[1]["DCW"].IsMissing);
    }

    [Fact]
    public void Decode_Int32Sentinel_IsMissing()
    {
        var point = new SunSpecPoint("X", 0, SunSpecPointType.Int32, 2, null, null);
        var def = new SunSpecModelDefinition(64000, "test", 2, [point], 0, []);
        Assert.True(SunSpecDecoder.Decode(def, 0, [0x8000, 0x0000])["X"].IsMissing);
        Assert.Equal(-2, SunSpecDecoder.Decode(def, 0, [0xFFFF, 0xFFFE]).Number("X"));
    }

    [Fact]
    public void Decode_Common_TrimsStringsAndFlagsEmptyOnes()
    {
        var body = new ushort[66];
        body[0] = 'F' << 8 | 'r';
        body[1] = 'o' << 8 | 'n';
        body[2] = 'i' << 8 | 'u';
        body[3] = 's' << 8;
        var m = Decode(1, body);
        Assert.Equal("Fronius", m.Text("Mn"));
        Assert.True(m["SN"].IsMissing);
    }

    [Fact]
    public void ToReadings_MetModels_NamesHistoryColumns()
    {
        var irradiance = Decode(302, [610, 845, 90, 700, 0xFFFF]);
        var module = Decode(303, [unchecked((ushort)(short)412)]);
        var met = Decode(307, [unchecked((ushort)(short)-35), 0x8000, 0x8000, 4, 0x8000, 0x8000, 0x8000, 0x8000, 0x8000, 0x8000, 0x8000]);
        var readings = SunSpecReadings.ToReadings([irradiance, module, met], DateTimeOffset.UnixEpoch, "met").ToDictionary(r => r.Quantity);
        Assert.Equal(845, readings["poa_wm2"].Value);
        Assert.Equal(610, readings["ghi_wm2"].Value);
        Assert.Equal(41.2, readings["temp_module_c"].Value!.Value, 6);
        Assert.Equal(-3.5, readings["temp_air_c"].Value!.Value, 6);
        Assert.Equal(4, readings["wind_speed_ms"].Value);
    }

    [Fact]
    public void ToReadings_InverterWithoutDcw_SumsMpptsAndReportsMissingAsMissing()
    {
        var inv = Decode(103, Inverter103(b => { b[29] = 0x8000; b[12] = 0x8000; }));
        var mpptBody = new ushort[48];
        mpptBody[6] = 2;
        mpptBody[8 + 11] = 1000;
        mpptBody[28 + 11] = 500;
        var readings = SunSpecReadings.ToReadings([inv, Decode(160, mpptBody)], DateTimeOffset.UnixEpoch, "inv").ToDictionary(r => r.Quantity);
        Assert.Equal(1500, readings["dc_power_w"].Value);
        Assert.Equal(1000, readings["dc_power_w__mppt1"].Value);
        Assert.Equal(500, readings["dc_power_w__mppt2"].Value);
        Assert.Null(readings["ac_power_w"].Value);
        Assert.Equal(PvEdge.EdgeAgent.Acquisition.ReadingQuality.Missing, readings["ac_power_w"].Quality);
        Assert.Equal(10, readings["energy_total_kwh"].Value!.Value, 6);
    }
}
