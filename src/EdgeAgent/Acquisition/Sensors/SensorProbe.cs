using System.Globalization;
using PvEdge.EdgeAgent.Acquisition.Sensors.Simulation;
using PvEdge.Shared.Cli;

namespace PvEdge.EdgeAgent.Acquisition.Sensors;

/// <summary><c>edgeagent probe --sensors [--sensors-config F] [--simulated] [--listen S]</c>: lists the configured sensors,
/// which of them answer, and their live values. Exit 0 when every sensor answered, 1 when one did not, 2 for a bad config.</summary>
public sealed class SensorProbe
{
    public const string Usage = "probe --sensors [--sensors-config F] [--simulated] [--listen S]  lists configured sensors, what answers, live values";

    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    public async Task<int> RunAsync(CliArguments args, CliContext ctx, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(ctx);
        args.Flag("sensors");
        var simulated = args.Flag("simulated");
        var file = args.Optional("sensors-config");
        var listenS = args.Double("listen", simulated ? 10 : 3, 0, 600);
        args.RejectUnknown();

        SensorOptions options;
        if (file is not null)
        {
            options = SensorOptions.Load(file);
        }
        else if (simulated)
        {
            options = SensorOptions.Parse(DemoJson, "demo sensors");
        }
        else
        {
            throw new InputException("option --sensors-config: a JSON sensor list is required (or --simulated to probe the twins)");
        }
        SensorValidation.Validate(options, file);
        if (options.Sensors.Count == 0)
        {
            ctx.Error.WriteLine($"edgeagent probe: {file}: no sensors configured");
            return 1;
        }

        using ISensorHardware hardware = simulated
            ? new SimulatedSensorHardware(options, ctx.Time.GetUtcNow())
            : new RaspberryPiSensorHardware(ctx.Time);
        var sources = SensorSourceFactory.Create(options, hardware);
        try
        {
            if (listenS > 0 && sources.Any(s => s is PulseSource))
            {
                ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"counting pulses for {listenS:0.#} s{(simulated ? " of simulated time" : "")} ..."));
                await hardware.SettleAsync(TimeSpan.FromSeconds(listenS), ct).ConfigureAwait(false);
            }
            var rows = new List<(SensorSource Source, IReadOnlyList<Reading> Readings)>();
            foreach (var source in sources)
            {
                rows.Add((source, await ReadOnceAsync(source, ct).ConfigureAwait(false)));
            }
            Print(ctx.Out, hardware.Description, file, rows);
            var silent = rows.Count(r => !Answered(r.Readings));
            if (silent > 0)
            {
                ctx.Error.WriteLine($"edgeagent probe: {silent} of {rows.Count} sensors did not answer");
                return 1;
            }
            return 0;
        }
        finally
        {
            foreach (var s in sources)
            {
                s.Dispose();
            }
        }
    }

    /// <summary>A sensor answered when at least one of its readings is not missing.</summary>
    public static bool Answered(IReadOnlyList<Reading> readings) => readings.Any(r => r.Quality != ReadingQuality.Missing);

    private static async Task<IReadOnlyList<Reading>> ReadOnceAsync(SensorSource source, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ReadTimeout);
        try
        {
            return await source.ReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            var at = DateTimeOffset.UtcNow;
            return source.Quantities.Select(q => Reading.Missing(q, at, source.Name, $"no answer within {ReadTimeout.TotalSeconds:0} s")).ToList();
        }
    }

    private static void Print(TextWriter output, string hardware, string? file, List<(SensorSource Source, IReadOnlyList<Reading> Readings)> rows)
    {
        output.WriteLine($"sensors on {hardware}{(file is null ? " (demo list)" : $" from {file}")}: {rows.Count} configured");
        output.WriteLine($"{"name",-14} {"kind",-12} {"wiring",-16} {"answers",-8} readings");
        foreach (var (source, readings) in rows)
        {
            var answered = Answered(readings) ? "yes" : "no";
            var first = true;
            foreach (var r in readings)
            {
                var lead = first
                    ? $"{source.Name,-14} {SensorValidation.KindName(source.Kind),-12} {source.Wiring,-16} {answered,-8}"
                    : new string(' ', 53);
                output.WriteLine($"{lead} {Format(r)}");
                first = false;
            }
            if (source.LastDetail is { } detail)
            {
                output.WriteLine($"{new string(' ', 53)} ({detail})");
            }
        }
    }

    /// <summary>"poa_wm2 = 640.2 W/m² good", "meter_power_w missing: no pulse since start".</summary>
    public static string Format(Reading reading)
    {
        ArgumentNullException.ThrowIfNull(reading);
        var quality = reading.Quality.ToString().ToLowerInvariant();
        if (reading.Value is not { } v)
        {
            return $"{reading.Quantity} {quality}: {reading.Reason}";
        }
        var text = string.Create(CultureInfo.InvariantCulture, $"{reading.Quantity} = {v:0.##} {Unit(reading.Quantity)} {quality}");
        return reading.Reason is null ? text : $"{text} ({reading.Reason})";
    }

    private static string Unit(string quantity) => quantity switch
    {
        SensorQuantities.PoaWm2 => "W/m²",
        SensorQuantities.PressurePa => "Pa",
        SensorQuantities.HumidityPct => "%",
        SensorQuantities.WindSpeedMs => "m/s",
        SensorQuantities.MeterEnergyKwh => "kWh",
        SensorQuantities.MeterPowerW => "W",
        _ => quantity.EndsWith("_c", StringComparison.Ordinal) ? "°C" : "",
    };

    /// <summary>One sensor of each kind at its usual address, as in sensors.example.json.</summary>
    internal const string DemoJson = """
        {
          "sensors": [
            { "name": "module-temp", "kind": "ds18b20", "cadence_s": 30 },
            { "name": "air", "kind": "bme280", "address": "0x76", "cadence_s": 60 },
            { "name": "poa", "kind": "pyranometer", "address": "0x48", "sensitivity_uv_per_wm2": 15.2, "cadence_s": 5 },
            { "name": "meter", "kind": "s0_meter", "pin": 17, "impulses_per_kwh": 1000, "cadence_s": 10 },
            { "name": "wind", "kind": "anemometer", "pin": 27, "ms_per_hz": 0.667, "cadence_s": 10 }
          ]
        }
        """;
}
