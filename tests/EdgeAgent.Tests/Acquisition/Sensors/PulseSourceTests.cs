using System.Device.Gpio;
using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Acquisition.Sensors;
using PvEdge.EdgeAgent.Acquisition.Sensors.Simulation;
using static PvEdge.EdgeAgent.Tests.Acquisition.Sensors.SensorTestConfigs;

namespace PvEdge.EdgeAgent.Tests.Acquisition.Sensors;

public sealed class PulseSourceTests : IDisposable
{
    private static readonly TimeSpan S0Width = TimeSpan.FromMilliseconds(30);
    private static readonly TimeSpan Bounce10 = TimeSpan.FromMilliseconds(10);
    private readonly SimulationClock _clock = new(Start);
    private readonly SimulatedGpioDriver _driver;
    private readonly GpioController _gpio;

    public PulseSourceTests()
    {
        _driver = new SimulatedGpioDriver(_clock);
        _gpio = new GpioController(_driver);
    }

    public void Dispose() => _gpio.Dispose();

    private S0MeterSource Meter(double impulsesPerKwh = 1000, double initialKwh = 0) =>
        new(S0Meter(17, impulsesPerKwh, initialKwh), _gpio, _clock);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public async Task S0_TenMillisecondBounceOnCloseAndOpen_CountsEachPulseOnce(int chatterPairs)
    {
        using var meter = Meter();

        for (var i = 0; i < 10; i++)
        {
            _driver.Pulse(17, S0Width, after: TimeSpan.FromSeconds(1), bounce: Bounce10, bounceEdges: chatterPairs);
        }
        var energy = Single(await meter.ReadAsync(CancellationToken.None), SensorQuantities.MeterEnergyKwh);

        Assert.Equal(10, meter.Counter.Count);
        Assert.Equal(10 * 2 * chatterPairs, meter.Counter.RejectedEdges); // every chatter falling edge was seen and refused
        Assert.Equal(0.010, energy.Value!.Value, 1e-12);
    }

    [Fact]
    public async Task S0_TwentyHertzWithTenMillisecondBounce_CountsEveryPulseAndPowerFromIntervals()
    {
        using var meter = Meter(impulsesPerKwh: 10_000, initialKwh: 1234.5);
        await meter.ReadAsync(CancellationToken.None);

        _driver.PulseTrain(17, hz: 20, count: 200, S0Width, Bounce10, bounceEdges: 2);
        var readings = await meter.ReadAsync(CancellationToken.None);

        Assert.Equal(200, meter.Counter.Count);
        Assert.Equal(1234.5 + 200 / 10_000.0, Single(readings, SensorQuantities.MeterEnergyKwh).Value!.Value, 1e-9);
        // 20 pulses/s × 0.1 Wh × 3600 s/h = 7200 W.
        var power = Single(readings, SensorQuantities.MeterPowerW);
        Assert.Equal(ReadingQuality.Good, power.Quality);
        Assert.Equal(7200, power.Value!.Value, 1e-6);
    }

    [Fact]
    public async Task S0_PulsesStop_PowerDecaysAsOnePulseOverTheSilence()
    {
        using var meter = Meter(impulsesPerKwh: 1000);
        _driver.PulseTrain(17, hz: 1, count: 5, S0Width);
        var running = Single(await meter.ReadAsync(CancellationToken.None), SensorQuantities.MeterPowerW);

        _clock.Advance(TimeSpan.FromSeconds(60));
        var silent = Single(await meter.ReadAsync(CancellationToken.None), SensorQuantities.MeterPowerW);

        Assert.Equal(3600, running.Value!.Value, 1e-6); // 1 Wh per second
        const double silenceS = 60 + 1; // the train ends one period after the last pulse started
        Assert.Equal(3600 / silenceS, silent.Value!.Value, 1e-6);
        Assert.Contains("no pulse for", silent.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task S0_FewerThanTwoPulses_PowerMissingEnergyGood()
    {
        using var meter = Meter(initialKwh: 5);

        var none = await meter.ReadAsync(CancellationToken.None);
        _driver.Pulse(17, S0Width, after: TimeSpan.FromSeconds(1));
        var one = await meter.ReadAsync(CancellationToken.None);

        Assert.Equal(ReadingQuality.Missing, Single(none, SensorQuantities.MeterPowerW).Quality);
        Assert.Equal("no pulse since start", Single(none, SensorQuantities.MeterPowerW).Reason);
        Assert.Equal(5.0, Single(none, SensorQuantities.MeterEnergyKwh).Value);
        Assert.Null(Single(one, SensorQuantities.MeterPowerW).Value);
        Assert.Equal(5.001, Single(one, SensorQuantities.MeterEnergyKwh).Value!.Value, 1e-12);
    }

    [Fact]
    public async Task S0_ImpossibleRate_PowerSuspect()
    {
        using var meter = Meter(impulsesPerKwh: 100); // 10 Wh per pulse: 20 Hz would be 720 kW

        _driver.PulseTrain(17, hz: 20, count: 20, S0Width);
        var power = Single(await meter.ReadAsync(CancellationToken.None), SensorQuantities.MeterPowerW);

        Assert.Equal(ReadingQuality.Suspect, power.Quality);
        Assert.Contains("impulses_per_kwh", power.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void S0_OpensPinWithPullUpAndReleasesItOnDispose_ControllerStaysOpen()
    {
        var meter = Meter();
        Assert.Equal(PinMode.InputPullUp, _driver.ModeOf(17));

        meter.Dispose();

        Assert.Empty(_driver.OpenPins);
        Assert.False(_gpio.IsPinOpen(17));
        _gpio.OpenPin(17, PinMode.Input); // the shared controller is still usable
    }

    [Fact]
    public void S0_ShouldDisposeTrue_DisposesTheController()
    {
        var gpio = new GpioController(new SimulatedGpioDriver(_clock));
        var meter = new S0MeterSource(S0Meter(), gpio, _clock, shouldDispose: true);

        meter.Dispose();

        Assert.Throws<ObjectDisposedException>(() => gpio.IsPinOpen(17));
    }

    [Fact]
    public async Task S0_PinTheDriverLacks_MissingWithReasonAndNoThrow()
    {
        using var meter = new S0MeterSource(S0Meter(pin: 30), _gpio, _clock);

        var readings = await meter.ReadAsync(CancellationToken.None);

        Assert.False(meter.Started);
        Assert.All(readings, r => Assert.StartsWith("cannot watch GPIO 30", r.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Anemometer_TwentyHertz_SpeedFromFactor()
    {
        using var wind = new AnemometerSource(Anemometer(msPerHz: 0.667), _gpio, _clock);

        _driver.PulseTrain(27, hz: 20, count: 100, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(3), bounceEdges: 2);
        var r = Assert.Single(await wind.ReadAsync(CancellationToken.None));

        Assert.Equal(100, wind.Counter.Count);
        Assert.Equal(20, wind.LastHz!.Value, 1e-9);
        Assert.Equal(0.667 * 20, r.Value!.Value, 1e-9);
    }

    [Fact]
    public async Task Anemometer_NoPulsesInWindow_CalmNotMissing()
    {
        using var wind = new AnemometerSource(Anemometer(), _gpio, _clock);
        _driver.PulseTrain(27, hz: 5, count: 10, TimeSpan.FromMilliseconds(20));
        _clock.Advance(TimeSpan.FromSeconds(5));
        await wind.ReadAsync(CancellationToken.None);

        _clock.Advance(TimeSpan.FromSeconds(10));
        var r = Assert.Single(await wind.ReadAsync(CancellationToken.None));

        Assert.Equal(ReadingQuality.Good, r.Quality);
        Assert.Equal(0, r.Value);
    }

    [Fact]
    public async Task Anemometer_ReadSoonAfterThePrevious_MissingAndItsPulsesCountNext()
    {
        // a read 0.1 s after the previous one (the acquisition loop catching up) must not count 0.1 s as calm
        using var wind = new AnemometerSource(Anemometer(msPerHz: 0.5), _gpio, _clock);
        _driver.PulseTrain(27, hz: 2, count: 20, TimeSpan.FromMilliseconds(20));
        Assert.Equal(1.0, Assert.Single(await wind.ReadAsync(CancellationToken.None)).Value!.Value, 1e-9);

        _clock.Advance(TimeSpan.FromSeconds(0.1));
        var soon = Assert.Single(await wind.ReadAsync(CancellationToken.None));
        _driver.PulseTrain(27, hz: 2, count: 10, TimeSpan.FromMilliseconds(20));
        var next = Assert.Single(await wind.ReadAsync(CancellationToken.None));

        Assert.Equal(ReadingQuality.Missing, soon.Quality);
        Assert.Contains("counted over the next window", soon.Reason, StringComparison.Ordinal);
        Assert.Equal(ReadingQuality.Good, next.Quality);
        Assert.Equal(0.5 * 10 / 5.1, next.Value!.Value, 1e-9); // ten pulses over the 5.1 s since the last counted read
    }

    [Fact]
    public async Task Anemometer_ReadTwiceAtOneInstant_MissingNotInfinite()
    {
        using var wind = new AnemometerSource(Anemometer(), _gpio, _clock);
        _clock.Advance(TimeSpan.FromSeconds(1));
        await wind.ReadAsync(CancellationToken.None);

        var r = Assert.Single(await wind.ReadAsync(CancellationToken.None));

        Assert.Equal(ReadingQuality.Missing, r.Quality);
    }

    [Fact]
    public void PulseCounter_EdgeExactlyDebounceAfterPrevious_Counted()
    {
        using var counter = new PulseCounter(_gpio, 5, TimeSpan.FromMilliseconds(10), _clock);
        var ms = TimeSpan.TicksPerMillisecond;

        counter.OnEdge(PinEventTypes.Falling, 0);
        counter.OnEdge(PinEventTypes.Rising, 30 * ms);
        counter.OnEdge(PinEventTypes.Falling, 39 * ms);  // 9 ms after the opening edge: bounce
        counter.OnEdge(PinEventTypes.Rising, 40 * ms);
        counter.OnEdge(PinEventTypes.Falling, 50 * ms);  // 10 ms of quiet line: a new pulse

        Assert.Equal(2, counter.Snapshot().Count);
        Assert.Equal(1, counter.Snapshot().RejectedEdges);
    }
}
