using System.Diagnostics;

namespace PvEdge.TestSupport;

/// <summary>Two pseudo-terminals joined by socat, like the two ends of a serial cable: what is written to one is read from the
/// other. Both are opened as serial ports (System.IO.Ports) for Modbus RTU. A test without socat is skipped, naming it.</summary>
public sealed class SocatPtyPair : IAsyncDisposable
{
    private readonly Process _socat;
    private readonly DirectoryInfo _dir;

    private SocatPtyPair(Process socat, DirectoryInfo dir)
    {
        _socat = socat;
        _dir = dir;
    }

    /// <summary>The end the device (server, simulator) opens.</summary>
    public string ServerPath => Path.Combine(_dir.FullName, "server");

    /// <summary>The end the client (agent, probe) opens.</summary>
    public string ClientPath => Path.Combine(_dir.FullName, "client");

    /// <summary>Starts socat and waits up to 1 s for both links; skips the calling test when socat is not installed or made no pair.</summary>
    public static async Task<SocatPtyPair> StartAsync(string prefix)
    {
        var socat = ExternalTools.Require("socat", "socat");
        var dir = Directory.CreateTempSubdirectory(prefix);
        var process = Process.Start(new ProcessStartInfo(socat,
            ["-d", $"pty,raw,echo=0,link={Path.Combine(dir.FullName, "server")}", $"pty,raw,echo=0,link={Path.Combine(dir.FullName, "client")}"])
        {
            RedirectStandardError = true,
        })!;
        var pair = new SocatPtyPair(process, dir);
        var ready = await Poll.UntilAsync(() => File.Exists(pair.ServerPath) && File.Exists(pair.ClientPath), TimeSpan.FromSeconds(1), 20).ConfigureAwait(false);
        if (!ready)
        {
            await pair.DisposeAsync().ConfigureAwait(false);
            Xunit.Skip.If(true, "socat did not create the pty pair; test skipped");
        }
        return pair;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_socat.HasExited)
        {
            _socat.Kill();
        }
        await _socat.WaitForExitAsync().ConfigureAwait(false);
        _socat.Dispose();
        _dir.Delete(true);
    }
}
