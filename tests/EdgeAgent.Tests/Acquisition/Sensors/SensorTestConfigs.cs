using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Acquisition.Sensors;

namespace PvEdge.EdgeAgent.Tests.Acquisition.Sensors;

/// <summary>Sensor configs for the tests: no retry delay, so retries cost no wall time.</summary>
internal static class SensorTestConfigs
{
    public static readonly DateTimeOffset Start = new(2026, 6, 21, 10, 0, 0, TimeSpan.Zero);

    public static SensorConfig Bme280(int retries = 2) =>
        new() { Name = "air", Kind = SensorKind.Bme280, Address = 0x76, Retries = retries, RetryDelayMs = 0 };

    public static SensorConfig Pyranometer(double sensitivity = 15.2, double offsetUv = 0, int rangeMv = 256) =>
        new() { Name = "poa", Kind = SensorKind.Pyranometer, Address = 0x48, SensitivityUvPerWm2 = sensitivity, OffsetUv = offsetUv, RangeMv = rangeMv, Retries = 2, RetryDelayMs = 0 };

    public static SensorConfig Ds18b20(params string[] probes) =>
        new() { Name = "module", Kind = SensorKind.Ds18b20, Probes = [.. probes], Retries = 2, RetryDelayMs = 0 };

    public static SensorConfig S0Meter(int pin = 17, double impulsesPerKwh = 1000, double initialKwh = 0) =>
        new() { Name = "meter", Kind = SensorKind.S0Meter, Pin = pin, ImpulsesPerKwh = impulsesPerKwh, InitialKwh = initialKwh };

    public static SensorConfig Anemometer(int pin = 27, double msPerHz = 0.667) =>
        new() { Name = "wind", Kind = SensorKind.Anemometer, Pin = pin, MsPerHz = msPerHz };

    public static Reading Single(IReadOnlyList<Reading> readings, string quantity) => Assert.Single(readings, r => r.Quantity == quantity);
}
