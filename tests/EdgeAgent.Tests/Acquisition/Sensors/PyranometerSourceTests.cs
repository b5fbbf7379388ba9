using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Acquisition.Sensors;
using PvEdge.EdgeAgent.Acquisition.Sensors.Simulation;
using static PvEdge.EdgeAgent.Tests.Acquisition.Sensors.SensorTestConfigs;

namespace PvEdge.EdgeAgent.Tests.Acquisition.Sensors;

public sealed class PyranometerSourceTests
{
    private static async Task<Reading> ReadAt(double microvolts, SensorConfig? config = null)
    {
        using var adc = new SimulatedAds1115();
        adc.SetDifferentialMicrovolts(0, 1, microvolts);
        using var source = new PyranometerSource(config ?? Pyranometer(), adc, TimeProvider.System, shouldDispose: false);
        return Assert.Single(await source.ReadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ReadAsync_800Wm2AtSensitivity15_2_WithinOneLsb()
    {
        var r = await ReadAt(800 * 15.2);

        Assert.Equal(ReadingQuality.Good, r.Quality);
        Assert.Equal(SensorQuantities.PoaWm2, r.Quantity);
        Assert.Equal(800, r.Value!.Value, 7.8125 / 15.2); // one LSB of ±256 mV is 7.8125 µV
    }

    [Fact]
    public async Task ReadAsync_OffsetConfigured_SubtractedBeforeSensitivity()
    {
        var r = await ReadAt(50 + 500 * 10, Pyranometer(sensitivity: 10, offsetUv: 50));

        Assert.Equal(500, r.Value!.Value, 1.0);
    }

    [Fact]
    public async Task ReadAsync_SingleShot_WritesConfigWithOsMuxPgaModeThenReadsConversion()
    {
        using var adc = new SimulatedAds1115();
        adc.SetDifferentialMicrovolts(0, 1, 5000);
        using var source = new PyranometerSource(Pyranometer(), adc, TimeProvider.System, shouldDispose: false);

        await source.ReadAsync(CancellationToken.None);
        var log = adc.Transfers;

        var config = log.Last(t => t.IsWrite && t.Data.Length == 3 && t.Data[0] == 0x01).Data;
        var word = (config[1] << 8) | config[2];
        Assert.Equal(1, word >> 15);                // OS: start a conversion
        Assert.Equal(0b000, (word >> 12) & 0b111);  // MUX: AIN0 − AIN1
        Assert.Equal(0b101, (word >> 9) & 0b111);   // PGA: ±0.256 V
        Assert.Equal(1, (word >> 8) & 1);           // MODE: single-shot
        var conversionRead = log.Select((t, i) => (t, i)).Last(x => x.t.IsWrite && x.t.Data is [0x00]).i;
        var expected = (short)Math.Round(0.005 / 0.256 * 32768);
        Assert.Equal([(byte)(expected >> 8), (byte)expected], log[conversionRead + 1].Data);
    }

    [Fact]
    public async Task ReadAsync_ConversionTakesSeveralPolls_WaitsForOsBit()
    {
        using var adc = new SimulatedAds1115 { BusyReadsPerConversion = 3 };
        adc.SetDifferentialMicrovolts(0, 1, 300 * 15.2);
        using var source = new PyranometerSource(Pyranometer(), adc, TimeProvider.System, shouldDispose: false);

        var r = Assert.Single(await source.ReadAsync(CancellationToken.None));

        Assert.Equal(300, r.Value!.Value, 0.6);
    }

    [Fact]
    public async Task ReadAsync_SmallNegativeAtNight_ClampedToZeroAndGood()
    {
        var r = await ReadAt(-4 * 15.2);

        Assert.Equal(ReadingQuality.Good, r.Quality);
        Assert.Equal(0, r.Value);
        Assert.Contains("night offset", r.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_NegativeBeyondTolerance_SuspectWithValue()
    {
        var r = await ReadAt(-40 * 15.2);

        Assert.Equal(ReadingQuality.Suspect, r.Quality);
        Assert.Equal(-40, r.Value!.Value, 0.6);
        Assert.Contains("polarity", r.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_AboveMax_Suspect()
    {
        var r = await ReadAt(1700 * 10, Pyranometer(sensitivity: 10, rangeMv: 512));

        Assert.Equal(ReadingQuality.Suspect, r.Quality);
        Assert.Equal(1700, r.Value!.Value, 1.0);
    }

    [Fact]
    public async Task ReadAsync_InputBeyondFullScale_SuspectSaturated()
    {
        var r = await ReadAt(300_000);

        Assert.Equal(ReadingQuality.Suspect, r.Quality);
        Assert.Contains("saturated", r.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_TwoBusErrors_RetriedAndGood()
    {
        using var adc = new SimulatedAds1115();
        adc.SetDifferentialMicrovolts(0, 1, 640 * 15.2);
        using var source = new PyranometerSource(Pyranometer(), adc, TimeProvider.System, shouldDispose: false);
        await source.ReadAsync(CancellationToken.None);
        adc.FailNextTransfers(2);

        var r = Assert.Single(await source.ReadAsync(CancellationToken.None));

        Assert.Equal(ReadingQuality.Good, r.Quality);
        Assert.Equal(640, r.Value!.Value, 0.6);
    }

    [Fact]
    public async Task ReadAsync_AdcAbsent_MissingWithReasonNeverZero()
    {
        using var adc = new SimulatedAds1115 { Present = false };
        using var source = new PyranometerSource(Pyranometer(), adc, TimeProvider.System, shouldDispose: false);

        var r = Assert.Single(await source.ReadAsync(CancellationToken.None));

        Assert.Equal(ReadingQuality.Missing, r.Quality);
        Assert.Null(r.Value);
        Assert.Contains("no ACK from 0x48", r.Reason, StringComparison.Ordinal);
        Assert.Contains("(3 attempts)", r.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Dispose_ShouldDispose_DecidesWhetherTheBusIsDisposed(bool shouldDispose)
    {
        using var adc = new SimulatedAds1115();
        var source = new PyranometerSource(Pyranometer(), adc, TimeProvider.System, shouldDispose);
        await source.ReadAsync(CancellationToken.None);

        source.Dispose();

        Assert.Equal(shouldDispose, adc.IsDisposed);
    }
}
