using System.Diagnostics;
using System.Net.Sockets;

namespace PvEdge.Modbus.Tests.Interop;

/// <summary>An outside program started by a test and killed at the end; waits until its TCP port accepts connections.</summary>
internal sealed class PeerProcess : IDisposable
{
    private readonly Process _process;

    private PeerProcess(Process process) => _process = process;

    public static async Task<PeerProcess> StartListeningAsync(string program, IEnumerable<string> args, int port)
    {
        var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var peer = new PeerProcess(process);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(15) && !process.HasExited)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                return peer;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        var error = process.HasExited ? await process.StandardError.ReadToEndAsync() : "still not listening after 15 s";
        peer.Dispose();
        throw new InvalidOperationException($"{program} did not start: {error}");
    }

    /// <summary>Runs a program to completion and returns its exit code and standard output.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string program, IEnumerable<string> args, TimeSpan timeout)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await output, await error);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        _process.Dispose();
    }
}
