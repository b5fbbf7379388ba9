using System.Diagnostics;
using System.Net.Sockets;
using PvEdge.TestSupport;

namespace PvEdge.Integration.Tests.EdgeAgent;

/// <summary>A mosquitto broker on 127.0.0.1 with its own minimal config (anonymous), killable and restartable on the same port.
/// With <c>persistence</c>, sessions, subscriptions and queued messages are saved on every change, so a persistent subscriber's
/// session survives a SIGKILL and restart and it receives what was published while it was reconnecting (QoS 0 included).</summary>
internal sealed class Mosquitto : IDisposable
{
    private readonly string _program;
    private readonly string _config;
    private Process? _process;

    public Mosquitto(string program, string folder, int port, bool persistence = false)
    {
        _program = program;
        Port = port;
        _config = Path.Combine(folder, "mosquitto.conf");
        var store = persistence
            ? $"persistence true\npersistence_location {folder}/\nautosave_on_changes true\nautosave_interval 1\nqueue_qos0_messages true\nmax_queued_messages 0\n"
            : "persistence false\n";
        File.WriteAllText(_config, $"listener {port} 127.0.0.1\nallow_anonymous true\n{store}");
    }

    public int Port { get; }

    public void Start()
    {
        _process = Process.Start(new ProcessStartInfo(_program, ["-c", _config]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            try
            {
                using var c = new TcpClient();
                c.Connect("127.0.0.1", Port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(50);
            }
        }
        throw new InvalidOperationException($"mosquitto did not listen on {Port}");
    }

    /// <summary>SIGTERM: the broker closes every connection without a word to its clients, as a crash would, but first writes
    /// its persistence file, so the messages it had acknowledged and not yet delivered to a persistent session survive the
    /// restart. After a SIGKILL they are lost with the broker's memory (mosquitto keeps at most 20 QoS 1 messages in flight to a
    /// subscriber and queues the rest in memory), a loss no publisher can see or repair.</summary>
    public void Stop()
    {
        if (_process is { HasExited: false } && Terminate(_process.Id, 15) == 0 && _process.WaitForExit(10_000))
        {
            _process.Dispose();
            _process = null;
            return;
        }
        Kill();
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Terminate(int pid, int signal);

    /// <summary>SIGKILL: no goodbye to anyone.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }
        _process?.Dispose();
        _process = null;
    }

    public void Dispose() => Kill();

    public static string Require() => ExternalTools.Require("mosquitto", "mosquitto");
}
