using System.Globalization;

namespace PvEdge.EdgeAgent.Acquisition.Sensors;

/// <summary>Back-of-module temperature from one or more DS18B20 probes: <c>temp_module_c</c> is the mean of the probes that answered;
/// an unplugged or failing probe is left out and named in the reading's reason; with none left the value is missing.</summary>
public sealed class Ds18b20Source : SensorSource
{
    /// <summary>A module's back is never outside this (°C); the DS18B20 itself reads −55 to 125.</summary>
    public const double MinPlausibleC = -40;
    public const double MaxPlausibleC = 100;

    private static readonly string[] Produces = [SensorQuantities.TempModuleC];
    private readonly OneWireThermometerReader _reader;

    public Ds18b20Source(SensorConfig config, OneWireThermometerReader reader, TimeProvider time)
        : base(config, time)
    {
        _reader = reader ?? throw new ArgumentNullException(nameof(reader));
    }

    public override IReadOnlyList<string> Quantities => Produces;

    /// <summary>Per-probe outcome of the last read: id → temperature or the reason it is missing.</summary>
    public IReadOnlyDictionary<string, string> LastProbes { get; private set; } = new Dictionary<string, string>();

    public override async Task<IReadOnlyList<Reading>> ReadAsync(CancellationToken cancellationToken)
    {
        var probes = Config.Probes.Count > 0 ? (IReadOnlyList<string>)Config.Probes : _reader.EnumerateThermometers();
        if (probes.Count == 0)
        {
            LastDetail = null;
            return [Missing(SensorQuantities.TempModuleC, Time.GetUtcNow(), $"no 1-Wire thermometer under {_reader.DevicesRoot} (is dtoverlay=w1-gpio set?)")];
        }
        var results = await Task.WhenAll(probes.Select(p => ReadProbeAsync(p, cancellationToken))).ConfigureAwait(false);
        var at = Time.GetUtcNow();
        var good = new List<double>();
        var problems = new List<string>();
        var suspect = new List<double>();
        var detail = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < probes.Count; i++)
        {
            var (value, failure) = results[i];
            if (failure is not null)
            {
                problems.Add($"{probes[i]}: {failure}");
                detail[probes[i]] = failure;
            }
            else if (value is < MinPlausibleC or > MaxPlausibleC)
            {
                suspect.Add(value);
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"{probes[i]}: {value:0.###} °C is implausible"));
                detail[probes[i]] = string.Create(CultureInfo.InvariantCulture, $"{value:0.###} °C (implausible)");
            }
            else
            {
                good.Add(value);
                detail[probes[i]] = string.Create(CultureInfo.InvariantCulture, $"{value:0.###} °C");
            }
        }
        LastProbes = detail;
        LastDetail = string.Join("; ", detail.Select(kv => $"{kv.Key} {kv.Value}"));
        var q = SensorQuantities.TempModuleC;
        if (good.Count > 0)
        {
            var note = problems.Count == 0 ? null : $"mean of {good.Count} of {probes.Count} probes; {string.Join("; ", problems)}";
            return [Good(q, good.Average(), at, note)];
        }
        if (suspect.Count > 0)
        {
            return [Suspect(q, suspect.Average(), at, string.Join("; ", problems))];
        }
        return [Missing(q, at, string.Join("; ", problems))];
    }

    private Task<(double Value, string? Failure)> ReadProbeAsync(string id, CancellationToken cancellationToken) =>
        WithRetriesAsync(async ct =>
        {
            var r = await _reader.ReadAsync(id, ct).ConfigureAwait(false);
            return r.Status switch
            {
                W1Status.Ok => Attempt<double>.Ok(r.TemperatureC),
                W1Status.Unplugged => Attempt<double>.Fail("unplugged (no w1_slave)"),
                W1Status.CrcError => Attempt<double>.Retry("CRC error"),
                W1Status.PowerOnReset => Attempt<double>.Retry("power-on value 85 °C, conversion did not run (check the 3.3 V supply)"),
                _ => Attempt<double>.Retry("unreadable w1_slave"),
            };
        }, cancellationToken);
}
