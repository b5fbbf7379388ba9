using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Acquisition.Sensors;
using PvEdge.EdgeAgent.Acquisition.Sensors.Simulation;
using static PvEdge.EdgeAgent.Tests.Acquisition.Sensors.SensorTestConfigs;

namespace PvEdge.EdgeAgent.Tests.Acquisition.Sensors;

public sealed class Bme280SourceTests
{
    private static int Raw20(SimulatedBme280 chip, byte msb) =>
        (chip.Register(msb) << 12) | (chip.Register((byte)(msb + 1)) << 4) | (chip.Register((byte)(msb + 2)) >> 4);

    [Fact]
    public async Task ReadAsync_SimulatedChip_ReturnsItsEnvironmentThroughTheBindingsCompensation()
    {
        using var chip = new SimulatedBme280 { TemperatureC = 23.4, PressurePa = 98_765, HumidityPct = 61.2 };
        using var source = new Bme280Source(Bme280(), chip, TimeProvider.System, shouldDispose: false);

        var readings = await source.ReadAsync(CancellationToken.None);

        Assert.All(readings, r => Assert.True(r.Quality == ReadingQuality.Good, r.ToString()));
        Assert.Equal(23.4, Single(readings, SensorQuantities.TempAirC).Value!.Value, 0.01);
        Assert.Equal(98_765, Single(readings, SensorQuantities.PressurePa).Value!.Value, 2.0);
        Assert.Equal(61.2, Single(readings, SensorQuantities.HumidityPct).Value!.Value, 0.05);
    }

    [Fact]
    public void Twin_DatasheetExample_AnswersTheDatasheetAdcWords()
    {
        // Bosch's worked example (BMP280 datasheet 3.11.3): adc_T 519888 → 25.08 °C, adc_P 415148 → 100653.27 Pa.
        // The datasheet prints t_fine 128422, i.e. 25.08248 °C before rounding; one LSB of adc_T is 0.0003 °C.
        using var chip = new SimulatedBme280 { TemperatureC = 25.08248, PressurePa = 100_653.27 };

        chip.Write([SimulatedBme280.CtrlMeas, 0b001_001_01]);

        Assert.InRange(Raw20(chip, SimulatedBme280.TempMsb), 519_888 - 1, 519_888 + 1);
        Assert.InRange(Raw20(chip, SimulatedBme280.PressMsb), 415_148 - 1, 415_148 + 1);
        Assert.Equal(0b001_001_00, chip.Register(SimulatedBme280.CtrlMeas)); // back to sleep after a forced conversion
    }

    [Fact]
    public async Task ReadAsync_FirstRead_ChecksChipIdThenCalibrationThenForcedMode()
    {
        using var chip = new SimulatedBme280();
        using var source = new Bme280Source(Bme280(), chip, TimeProvider.System, shouldDispose: false);

        await source.ReadAsync(CancellationToken.None);
        var log = chip.Transfers.ToList();

        Assert.Equal([SimulatedBme280.ChipIdRegister], log[0].Data);
        Assert.Equal([0x60], log[1].Data);
        var firstControl = log.FindIndex(t => t.IsWrite && t.Data.Length == 2);
        var calibrationPointers = log.Take(firstControl).Where(t => t.IsWrite).Select(t => t.Data[0]).ToList();
        Assert.Contains((byte)0x88, calibrationPointers); // dig_T1 ...
        Assert.Contains((byte)0x9E, calibrationPointers); // ... dig_P9
        Assert.Contains((byte)0xA1, calibrationPointers); // dig_H1
        Assert.Contains((byte)0xE5, calibrationPointers); // dig_H4/H5 shared nibbles
        var writes = log.Where(t => t.IsWrite && t.Data.Length == 2).ToList();
        var humIndex = writes.FindIndex(w => w.Data[0] == SimulatedBme280.CtrlHum);
        var forcedIndex = writes.FindLastIndex(w => w.Data[0] == SimulatedBme280.CtrlMeas && (w.Data[1] & 0b11) is 0b01 or 0b10);
        Assert.InRange(humIndex, 0, forcedIndex - 1); // ctrl_hum only takes effect with a later ctrl_meas write
        Assert.Contains(log.Select((t, i) => (t, i)), x => x.t.IsWrite && x.t.Data is [SimulatedBme280.TempMsb] && log[x.i + 1].Data.Length == 3);
        Assert.Equal(1, chip.Conversions);
    }

    [Fact]
    public async Task ReadAsync_TransientBusError_RetriedAndGood()
    {
        using var chip = new SimulatedBme280 { TemperatureC = 18 };
        using var source = new Bme280Source(Bme280(retries: 2), chip, TimeProvider.System, shouldDispose: false);
        await source.ReadAsync(CancellationToken.None);
        chip.FailNextTransfers(1);

        var readings = await source.ReadAsync(CancellationToken.None);

        Assert.Equal(ReadingQuality.Good, Single(readings, SensorQuantities.TempAirC).Quality);
        Assert.Equal(18, Single(readings, SensorQuantities.TempAirC).Value!.Value, 0.01);
    }

    [Fact]
    public async Task ReadAsync_NoChipAtAddress_AllMissingWithReasonAfterRetries()
    {
        using var chip = new SimulatedBme280 { Present = false };
        using var source = new Bme280Source(Bme280(retries: 2), chip, TimeProvider.System, shouldDispose: false);

        var readings = await source.ReadAsync(CancellationToken.None);

        Assert.Equal(3, readings.Count);
        Assert.All(readings, r =>
        {
            Assert.Equal(ReadingQuality.Missing, r.Quality);
            Assert.Null(r.Value);
            Assert.Contains("no ACK from 0x76", r.Reason, StringComparison.Ordinal);
            Assert.Contains("(3 attempts)", r.Reason, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task ReadAsync_PersistentBusErrors_MissingThenRecoversWhenBusClears()
    {
        using var chip = new SimulatedBme280();
        using var source = new Bme280Source(Bme280(retries: 1), chip, TimeProvider.System, shouldDispose: false);
        chip.FailNextTransfers(2);

        var failed = await source.ReadAsync(CancellationToken.None);
        var recovered = await source.ReadAsync(CancellationToken.None);

        Assert.All(failed, r => Assert.Contains("bus error", r.Reason, StringComparison.Ordinal));
        Assert.All(recovered, r => Assert.Equal(ReadingQuality.Good, r.Quality));
    }

    [Fact]
    public async Task ReadAsync_Bmp280AtAddress_MissingNamesChipIdWithoutRetrying()
    {
        using var chip = new SimulatedBme280(chipId: 0x58);
        using var source = new Bme280Source(Bme280(retries: 2), chip, TimeProvider.System, shouldDispose: false);

        var readings = await source.ReadAsync(CancellationToken.None);

        Assert.All(readings, r => Assert.Contains("not a BME280 at i2c-1 0x76", r.Reason, StringComparison.Ordinal));
        Assert.Equal(2, chip.Transfers.Count); // one chip-id exchange, no retry
    }

    [Fact]
    public async Task ReadAsync_ChipNeverConverts_MissingNotTheResetValueCompensated()
    {
        using var chip = new SimulatedBme280 { Stalled = true };
        using var source = new Bme280Source(Bme280(retries: 1), chip, TimeProvider.System, shouldDispose: false);

        var readings = await source.ReadAsync(CancellationToken.None);

        Assert.All(readings, r =>
        {
            Assert.Equal(ReadingQuality.Missing, r.Quality);
            Assert.Contains("reset value 0x80000 (2 attempts)", r.Reason, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task ReadAsync_TemperatureOutsideChipRange_Suspect()
    {
        using var chip = new SimulatedBme280 { TemperatureC = 95 };
        using var source = new Bme280Source(Bme280(), chip, TimeProvider.System, shouldDispose: false);

        var t = Single(await source.ReadAsync(CancellationToken.None), SensorQuantities.TempAirC);

        Assert.Equal(ReadingQuality.Suspect, t.Quality);
        Assert.Equal(95, t.Value!.Value, 0.05);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Dispose_ShouldDispose_DecidesWhetherTheBusIsDisposed(bool shouldDispose)
    {
        using var chip = new SimulatedBme280();
        var source = new Bme280Source(Bme280(), chip, TimeProvider.System, shouldDispose);
        await source.ReadAsync(CancellationToken.None);

        source.Dispose();

        Assert.Equal(shouldDispose, chip.IsDisposed);
    }
}
