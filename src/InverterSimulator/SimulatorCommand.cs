using System.Diagnostics;
using System.Globalization;
using PvEdge.InverterSimulator.Faults;
using PvEdge.InverterSimulator.Plant;
using PvEdge.Shared.Cli;

namespace PvEdge.InverterSimulator;

/// <summary>The <c>inverter-simulator</c> command line: parses options, starts the host, prints where it listens and a line per
/// simulated quarter hour, and runs until Ctrl+C.</summary>
public static class SimulatorCommand
{
    public const string Usage =
        "inverter-simulator [--site S] [--weather W] [--port 1502] [--speed 60] [--start 2026-06-21T06:00:00Z] [--faults F] [--rtu-pty PATH [--baud 9600]] [--unit 1] [--met-unit 2]";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TimeProvider wallClock, CancellationToken cancellationToken)
    {
        if (args is ["--help"] or ["-h"])
        {
            output.WriteLine("usage: " + Usage);
            return 0;
        }
        try
        {
            var a = new CliArguments(args);
            var port = a.Int("port", 1502, 0, 65535);
            var speed = a.Double("speed", 1, 0.001, 1_000_000);
            var startText = a.Optional("start");
            var start = startText is null ? wallClock.GetUtcNow() : ParseTime(startText);
            var faults = a.Optional("faults") is { } f ? FaultSchedule.Load(f) : FaultSchedule.None;
            var plant = PlantFactory.Create(a.Optional("site"), a.Optional("weather"));
            var rtuPty = a.Optional("rtu-pty");
            var baud = a.Int("baud", 9600, 1200, 921600);
            var unit = (byte)a.Int("unit", 1, 1, 247);
            var metUnit = (byte)a.Int("met-unit", 2, 1, 247);
            a.RejectUnknown();
            if (unit == metUnit)
            {
                throw new InputException("option --met-unit: must differ from --unit");
            }

            var clock = new SimulatedClock(start, speed, wallClock);
            await using var host = InverterSimulatorHost.Start(new InverterSimulatorOptions
            {
                Plant = plant, Clock = clock, Faults = faults, Port = port, InverterUnitId = unit, MetUnitId = metUnit,
            });
            output.WriteLine($"inverter-simulator: {plant.Description}");
            output.WriteLine($"inverter-simulator: Modbus TCP on 127.0.0.1:{host.Port} (inverter unit {unit}: SunSpec 1, 103, 120, 160; met station unit {metUnit}: 1, 302, 303, 307)");
            output.WriteLine($"inverter-simulator: simulated clock starts {start:yyyy-MM-ddTHH:mm:ssZ} at {speed.ToString(CultureInfo.InvariantCulture)}x; {faults.Faults.Count} fault(s) scheduled");
            using var socat = rtuPty is null ? null : await StartPtyAsync(rtuPty, host, baud, output, wallClock, cancellationToken).ConfigureAwait(false);
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(1, 900 / speed)), wallClock);
            try
            {
                while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
                {
                    host.Engine.Refresh();
                    if (host.Engine.LastInverter is { } inv && host.Engine.LastMet is { } met)
                    {
                        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"{clock.GetUtcNow():yyyy-MM-ddTHH:mm}Z  AC {inv.AcPowerW,6:0} W  DC {inv.DcPowerW.Sum(),6:0} W  POA {met.PoaWm2,5:0} W/m²  state {inv.State}  energy {inv.EnergyWh / 1000:0.0} kWh"));
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                if (socat is { HasExited: false })
                {
                    socat.Kill();
                }
            }
            return 0;
        }
        catch (InputException ex)
        {
            error.WriteLine("inverter-simulator: " + ex.Message);
            return 2;
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            error.WriteLine($"inverter-simulator: cannot listen: {ex.Message}");
            return 1;
        }
    }

    private static async Task<Process> StartPtyAsync(string path, InverterSimulatorHost host, int baud, TextWriter output, TimeProvider time, CancellationToken cancellationToken)
    {
        var serverSide = path + ".sim";
        var socat = Process.Start(new ProcessStartInfo("socat", ["-d", $"pty,raw,echo=0,link={serverSide}", $"pty,raw,echo=0,link={path}"]))
            ?? throw new InputException("option --rtu-pty: socat could not be started (apt-get install socat)");
        for (var i = 0; i < 100 && !(File.Exists(serverSide) && File.Exists(path)); i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), time, cancellationToken).ConfigureAwait(false);
        }
        if (!File.Exists(serverSide))
        {
            socat.Kill();
            throw new InputException($"option --rtu-pty: socat did not create {serverSide}");
        }
        host.StartRtu(serverSide, baud);
        output.WriteLine($"inverter-simulator: Modbus RTU on {path} ({baud} baud, 8N1)");
        return socat;
    }

    private static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t.ToUniversalTime()
            : throw new InputException($"option --start: expected an ISO-8601 time such as 2026-06-21T06:00:00Z, got '{text}'");
}
