using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Acquisition.Sensors;
using PvEdge.EdgeAgent.Acquisition.Sensors.Simulation;
using static PvEdge.EdgeAgent.Tests.Acquisition.Sensors.SensorTestConfigs;

namespace PvEdge.EdgeAgent.Tests.Acquisition.Sensors;

public sealed class Ds18b20SourceTests : IDisposable
{
    private const string A = "28-00000a1b2c3d", B = "28-00000a1b2c4e", C = "28-00000a1b2c5f";
    private readonly SimulatedOneWireBus _bus = new();

    public Ds18b20SourceTests()
    {
        _bus.AddThermometer(A, 40.0);
        _bus.AddThermometer(B, 41.0);
        _bus.AddThermometer(C, 42.5);
    }

    public void Dispose() => _bus.Dispose();

    private async Task<Reading> ReadAsync(params string[] probes)
    {
        using var source = new Ds18b20Source(Ds18b20(probes), _bus.CreateReader(), TimeProvider.System);
        return Assert.Single(await source.ReadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ReadAsync_ThreeProbes_MeanWithoutReason()
    {
        var r = await ReadAsync(A, B, C);

        Assert.Equal(ReadingQuality.Good, r.Quality);
        Assert.Equal(SensorQuantities.TempModuleC, r.Quantity);
        Assert.Equal((40.0 + 41.0 + 42.5) / 3, r.Value!.Value, 1e-9);
        Assert.Null(r.Reason);
    }

    [Fact]
    public async Task ReadAsync_NoProbesConfigured_AveragesEveryThermometerOnTheBus()
    {
        var r = await ReadAsync();

        Assert.Equal((40.0 + 41.0 + 42.5) / 3, r.Value!.Value, 1e-9);
    }

    [Fact]
    public async Task ReadAsync_OneProbeUnplugged_MeanOfTheRestNamingTheProbe()
    {
        _bus.Unplug(B);

        var r = await ReadAsync(A, B, C);

        Assert.Equal(ReadingQuality.Good, r.Quality);
        Assert.Equal((40.0 + 42.5) / 2, r.Value!.Value, 1e-9);
        Assert.Contains("mean of 2 of 3 probes", r.Reason, StringComparison.Ordinal);
        Assert.Contains($"{B}: unplugged", r.Reason, StringComparison.Ordinal);
        Assert.Equal(1, _bus.ReadsOf(B)); // an unplugged probe is not retried
    }

    [Fact]
    public async Task ReadAsync_AllUnplugged_MissingNeverZero()
    {
        _bus.Unplug(A);
        _bus.Unplug(B);

        var r = await ReadAsync(A, B);

        Assert.Equal(ReadingQuality.Missing, r.Quality);
        Assert.Null(r.Value);
        Assert.Contains($"{A}: unplugged", r.Reason, StringComparison.Ordinal);
        Assert.Contains($"{B}: unplugged", r.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_TransientCrcFailure_RetriedAndCounted()
    {
        _bus.FailNextReads(A, 2);

        var r = await ReadAsync(A, B);

        Assert.Equal((40.0 + 41.0) / 2, r.Value!.Value, 1e-9);
        Assert.Null(r.Reason);
        Assert.Equal(3, _bus.ReadsOf(A));
        Assert.Equal(1, _bus.ReadsOf(B));
    }

    [Fact]
    public async Task ReadAsync_PersistentCrcFailure_ProbeLeftOutWithReason()
    {
        _bus.BreakCrc(C);

        var r = await ReadAsync(A, C);

        Assert.Equal(40.0, r.Value!.Value, 1e-9);
        Assert.Contains($"{C}: CRC error (3 attempts)", r.Reason, StringComparison.Ordinal);
        Assert.Equal(3, _bus.ReadsOf(C));
    }

    [Fact]
    public async Task ReadAsync_OnlyProbeReads85PowerOnValue_MissingWithReason()
    {
        _bus.PowerOnReset(A);

        var r = await ReadAsync(A);

        Assert.Equal(ReadingQuality.Missing, r.Quality);
        Assert.Contains("85 °C", r.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_ProbeAboveModuleRange_SuspectWhenAlone()
    {
        _bus.SetTemperature(A, 120);

        var alone = await ReadAsync(A);
        var withOthers = await ReadAsync(A, B);

        Assert.Equal(ReadingQuality.Suspect, alone.Quality);
        Assert.Equal(ReadingQuality.Good, withOthers.Quality);
        Assert.Equal(41.0, withOthers.Value!.Value, 1e-9);
    }

    [Fact]
    public async Task ReadAsync_EmptyBus_MissingNamesOverlay()
    {
        using var empty = new SimulatedOneWireBus();
        using var source = new Ds18b20Source(Ds18b20(), empty.CreateReader(), TimeProvider.System);

        var r = Assert.Single(await source.ReadAsync(CancellationToken.None));

        Assert.Equal(ReadingQuality.Missing, r.Quality);
        Assert.Contains("dtoverlay=w1-gpio", r.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57 t=23125\n", W1Status.Ok, 23.125)]
    [InlineData("5e ff 4b 46 7f ff 02 10 56 : crc=56 YES\n5e ff 4b 46 7f ff 02 10 56 t=-10125\n", W1Status.Ok, -10.125)]
    [InlineData("ff ff ff ff ff ff ff ff ff : crc=c9 NO\nff ff ff ff ff ff ff ff ff t=-62\n", W1Status.CrcError, double.NaN)]
    [InlineData("50 05 4b 46 7f ff 0c 10 1c : crc=1c YES\n50 05 4b 46 7f ff 0c 10 1c t=85000\n", W1Status.PowerOnReset, 85.0)]
    [InlineData("garbage", W1Status.BadFormat, double.NaN)]
    public void Parse_KernelW1SlaveText_StatusAndTemperature(string text, W1Status status, double celsius)
    {
        var r = OneWireThermometerReader.Parse(text);

        Assert.Equal(status, r.Status);
        Assert.Equal(celsius, r.TemperatureC, 1e-9);
    }

    [Fact]
    public void Crc8_RealDs18b20Scratchpad_MatchesItsCrcByte()
    {
        // A scratchpad as a real probe answered it: "72 01 4b 46 7f ff 0e 10 57 : crc=57 YES".
        Assert.Equal(0x57, SimulatedOneWireBus.Crc8([0x72, 0x01, 0x4b, 0x46, 0x7f, 0xff, 0x0e, 0x10]));
    }

    [Fact]
    public void Twin_NegativeTemperature_WritesKernelFormatWithValidCrc()
    {
        _bus.SetTemperature(A, -10.5);

        var text = File.ReadAllText(Path.Combine(_bus.Root, A, "w1_slave"));
        var bytes = text[..26].Split(' ').Select(h => Convert.ToByte(h, 16)).ToArray();

        Assert.Equal(-168, (short)(bytes[0] | (bytes[1] << 8))); // 12-bit two's complement, 1/16 °C
        Assert.Equal(bytes[8], SimulatedOneWireBus.Crc8(bytes.AsSpan(0, 8)));
        Assert.EndsWith("t=-10500\n", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("28-00000a1b2c3d", true)]
    [InlineData("10-000802b5a2c1", true)]
    [InlineData("3b-0000001863ec", true)]
    [InlineData("29-00000a1b2c3d", false)]
    [InlineData("w1_bus_master1", false)]
    public void IsThermometerId_FamilyCodes_FromTheBindingsDeviceFamily(string id, bool expected)
    {
        Assert.Equal(expected, OneWireThermometerReader.IsThermometerId(id));
    }
}
