using System.Globalization;
using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Acquisition.RegisterMaps;
using PvEdge.EdgeAgent.Acquisition.Sensors;
using PvEdge.EdgeAgent.Acquisition.SunSpec;
using PvEdge.Modbus;
using PvEdge.Modbus.Client;
using PvEdge.Shared.Cli;

namespace PvEdge.EdgeAgent.Commands;

/// <summary><c>edgeagent probe</c>: finds an inverter on Modbus TCP or RTU and describes it, or says plainly why not.
/// Each mode is its own method (SunSpec description, unit-id scan, register map, raw dump); a new mode adds an option and a method.</summary>
public sealed class ProbeCommand : ICliCommand
{
    public string Name => "probe";

    public string Usage =>
        "probe --host H [--port 502] [--unit 1] | --rtu /dev/ttyUSB0 [--baud 9600]  [--scan] [--dump] [--map M] [--timeout-ms 1000]  find an inverter and list its SunSpec models and key values"
        + " | --sensors [--sensors-config F] [--simulated] [--listen S]  list the GPIO/I²C/1-Wire sensors, what answers and live values";

    /// <summary>Where and how to talk to the device.</summary>
    private sealed record ModbusTarget(ModbusEndpoint Where, byte Unit, TimeSpan Timeout)
    {
        public string Endpoint => Where.Name;

        public ModbusClient CreateClient(TimeProvider time, int retries) => Where.CreateClient(new ModbusClientOptions
        {
            Timeout = Timeout, Retries = retries, ConnectTimeout = TimeSpan.FromSeconds(3), BackoffInitial = TimeSpan.FromMilliseconds(50),
        }, time);
    }

    public async Task<int> RunAsync(CliArguments args, CliContext context, CancellationToken cancellationToken)
    {
        if (args.Flag("sensors"))
        {
            return await new SensorProbe().RunAsync(args, context, cancellationToken).ConfigureAwait(false);
        }
        var scan = args.Flag("scan");
        var dump = args.Flag("dump");
        var map = args.Optional("map");
        var target = ParseTarget(args, scan);
        args.RejectUnknown();

        if (scan)
        {
            return await ScanAsync(target, context, cancellationToken).ConfigureAwait(false);
        }
        if (map is not null)
        {
            return await ProbeWithMapAsync(target, RegisterMap.Load(RegisterMap.Resolve(map)), dump, context, cancellationToken).ConfigureAwait(false);
        }
        return await ProbeSunSpecAsync(target, dump, context, cancellationToken).ConfigureAwait(false);
    }

    private static ModbusTarget ParseTarget(CliArguments args, bool scan)
    {
        var host = args.Optional("host");
        var rtu = args.Optional("rtu");
        if (host is null == (rtu is null))
        {
            throw new InputException("give either --host H (Modbus TCP) or --rtu /dev/ttyUSB0 (Modbus RTU)");
        }
        var port = args.Int("port", 502, 1, 65535);
        var baud = args.Int("baud", 9600, 1200, 921600);
        var unit = args.Int("unit", 1, 0, 247);
        var timeout = args.Int("timeout-ms", scan ? 150 : 1000, 10, 60_000);
        var where = rtu is not null ? ModbusEndpoint.Rtu(rtu, baud) : ModbusEndpoint.Tcp(host!, port);
        return new ModbusTarget(where, (byte)unit, TimeSpan.FromMilliseconds(timeout));
    }

    /// <summary>Default mode: SunSpec discovery on one unit, then the models and key values.</summary>
    private static async Task<int> ProbeSunSpecAsync(ModbusTarget target, bool dump, CliContext context, CancellationToken cancellationToken)
    {
        await using var client = target.CreateClient(context.Time, retries: 1);
        SunSpecDevice? device;
        try
        {
            device = await SunSpecDiscovery.DiscoverAsync(client, target.Unit, cancellationToken).ConfigureAwait(false);
        }
        catch (ModbusException ex)
        {
            return NoAnswer(target, ex, context);
        }
        if (device is null)
        {
            context.Error.WriteLine($"the device at {target.Endpoint} unit {target.Unit} answers Modbus but has no SunSpec marker ('SunS') at 40000, 0 or 50000; " +
                $"read it with a register map: --map <file or shipped map: {ShippedMaps()}>");
            if (dump)
            {
                await DumpRangeAsync(client, target.Unit, 0, 64, context, cancellationToken).ConfigureAwait(false);
            }
            return 1;
        }

        var output = context.Out;
        output.WriteLine($"SunSpec device at {target.Endpoint} unit {target.Unit} (marker at {device.BaseAddress})");
        output.WriteLine("  models: " + string.Join(", ", device.Models.Select(m =>
            $"{m.Id} {(SunSpecModelCatalog.Default.TryGet(m.Id, out var d) ? d.Name : "unknown")} @{m.Address + 2} ({m.Length})")));
        var decoded = new List<SunSpecModelValues>();
        try
        {
            foreach (var location in device.Models)
            {
                if (await SunSpecDiscovery.ReadModelAsync(client, target.Unit, location, SunSpecModelCatalog.Default, cancellationToken).ConfigureAwait(false) is { } values)
                {
                    decoded.Add(values);
                }
                if (dump)
                {
                    await DumpRangeAsync(client, target.Unit, location.Address, location.Length + 2, context, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (ModbusException ex)
        {
            context.Error.WriteLine($"reading the models of unit {target.Unit} at {target.Endpoint} failed: {ex.Message}");
            return 1;
        }
        PrintSummary(SunSpecReadings.Summarise(decoded), decoded.Any(m => SunSpecReadings.InverterModels.Contains(m.Id)), output);
        var extra = SunSpecReadings.ToReadings(decoded, context.Time.GetUtcNow(), "probe")
            .Where(r => r.Quantity is "poa_wm2" or "ghi_wm2" or "temp_module_c" or "temp_air_c" or "wind_speed_ms").ToList();
        foreach (var r in extra)
        {
            output.WriteLine($"  {r.Quantity,-14} {Value(r)}");
        }
        return 0;
    }

    private static void PrintSummary(SunSpecSummary s, bool inverter, TextWriter output)
    {
        static string Text(string? v) => v ?? "not implemented";
        static string Watts(double? w) => w is { } v ? string.Create(CultureInfo.InvariantCulture, $"{v:0} W") : "not implemented";
        output.WriteLine($"  manufacturer   {Text(s.Manufacturer)}");
        output.WriteLine($"  model          {Text(s.Model)}");
        output.WriteLine($"  serial         {Text(s.Serial)}");
        output.WriteLine($"  firmware       {Text(s.Firmware)}");
        if (!inverter)
        {
            return;
        }
        if (s.RatedPowerW is not null)
        {
            output.WriteLine($"  rated power    {Watts(s.RatedPowerW)}");
        }
        output.WriteLine($"  AC power       {Watts(s.AcPowerW)}");
        var mppt = s.MpptDcPowerW.Count == 0 ? "" : "  (" + string.Join(", ", s.MpptDcPowerW.Select((w, i) => $"MPPT {i + 1}: {Watts(w)}")) + ")";
        output.WriteLine($"  DC power       {Watts(s.DcPowerW)}{mppt}");
        output.WriteLine($"  energy         {(s.EnergyTotalKwh is { } e ? string.Create(CultureInfo.InvariantCulture, $"{e:0.0} kWh") : "not implemented")}");
        output.WriteLine($"  state          {s.State ?? "not implemented"}");
    }

    /// <summary>--scan: tries unit ids 1–247 with a short timeout and reports those that answer.</summary>
    private static async Task<int> ScanAsync(ModbusTarget target, CliContext context, CancellationToken cancellationToken)
    {
        await using var client = target.CreateClient(context.Time, retries: 0);
        var marker = new ushort[2];
        var found = 0;
        context.Out.WriteLine($"scanning unit ids 1-247 at {target.Endpoint} ({target.Timeout.TotalMilliseconds:0} ms each)...");
        for (var unit = 1; unit <= 247; unit++)
        {
            string? what = null;
            try
            {
                await client.ReadHoldingRegistersAsync((byte)unit, 40000, marker, cancellationToken).ConfigureAwait(false);
                what = marker is [0x5375, 0x6E53] ? "SunSpec marker at 40000" : "answers (no SunSpec marker at 40000)";
            }
            catch (ModbusExceptionResponse ex)
            {
                what = $"answers (exception {(byte)ex.Code:D2} at 40000)";
            }
            catch (ModbusProtocolException ex)
            {
                what = $"answers with a malformed reply ({ex.Message})";
            }
            catch (ModbusTimeoutException)
            {
            }
            catch (ModbusTransportException ex)
            {
                return NoAnswer(target, ex, context);
            }
            if (what is not null)
            {
                found++;
                context.Out.WriteLine($"  unit {unit}: {what}");
            }
        }
        if (found == 0)
        {
            context.Error.WriteLine($"no unit id in 1-247 answered at {target.Endpoint}");
            return 1;
        }
        context.Out.WriteLine($"{found} unit id(s) answered; describe one with --unit U");
        return 0;
    }

    /// <summary>--map M: reads an inverter that does not speak SunSpec through a register map.</summary>
    private static async Task<int> ProbeWithMapAsync(ModbusTarget target, RegisterMap map, bool dump, CliContext context, CancellationToken cancellationToken)
    {
        await using var client = target.CreateClient(context.Time, retries: 1);
        var source = new RegisterMapReadingSource("probe", map, client, target.Unit, TimeSpan.FromSeconds(10), context.Time);
        var readings = await source.ReadAsync(cancellationToken).ConfigureAwait(false);
        if (readings.All(r => r.Quality == ReadingQuality.Missing))
        {
            context.Error.WriteLine($"no Modbus device answered at {target.Endpoint} unit {target.Unit} through map {Path.GetFileName(map.File)} ({readings[0].Reason})");
            return 1;
        }
        context.Out.WriteLine($"{map.Manufacturer} {map.Model} at {target.Endpoint} unit {target.Unit} (map {Path.GetFileName(map.File)})");
        foreach (var r in readings)
        {
            context.Out.WriteLine($"  {r.Quantity,-18} {Value(r)}");
        }
        if (dump)
        {
            foreach (var (table, start, count) in source.Reads)
            {
                context.Out.WriteLine($"{table} registers:");
                await DumpRangeAsync(client, target.Unit, start, count, context, cancellationToken, table == RegisterTable.Input).ConfigureAwait(false);
            }
        }
        return 0;
    }

    /// <summary>--dump: raw registers, 8 per line, decimal address and hex values, for support.</summary>
    private static async Task DumpRangeAsync(ModbusClient client, byte unit, int start, int count, CliContext context, CancellationToken cancellationToken, bool input = false)
    {
        var values = new ushort[count];
        try
        {
            if (input)
            {
                await client.ReadInputRegistersAsync(unit, (ushort)start, values, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await client.ReadHoldingRegistersAsync(unit, (ushort)start, values, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (ModbusException ex)
        {
            context.Out.WriteLine($"    {start}..{start + count - 1}: {ex.Message}");
            return;
        }
        for (var i = 0; i < count; i += 8)
        {
            var row = string.Join(' ', values.Skip(i).Take(8).Select(v => v.ToString("x4", CultureInfo.InvariantCulture)));
            context.Out.WriteLine($"    {start + i,5}: {row}");
        }
    }

    private static int NoAnswer(ModbusTarget target, ModbusException ex, CliContext context)
    {
        var reason = ex switch
        {
            ModbusTransportException => ex.Message,
            ModbusTimeoutException { LastStrayUnitId: { } other } =>
                $"unit {target.Unit} did not reply within {target.Timeout.TotalMilliseconds:0} ms, but unit {other} did: try --unit {other}",
            ModbusTimeoutException => $"no reply from unit {target.Unit} within {target.Timeout.TotalMilliseconds:0} ms; wrong unit id? try --scan",
            _ => ex.Message,
        };
        context.Error.WriteLine($"no Modbus device answered at {target.Endpoint} ({reason})");
        return 1;
    }

    private static string Value(Reading r) => r.Value is { } v
        ? v.ToString("0.##", CultureInfo.InvariantCulture)
        : $"missing ({r.Reason})";

    private static string ShippedMaps() =>
        Directory.Exists(RegisterMap.ShippedFolder)
            ? string.Join(", ", Directory.GetFiles(RegisterMap.ShippedFolder, "*.json").Select(Path.GetFileNameWithoutExtension).Order())
            : "none";
}
