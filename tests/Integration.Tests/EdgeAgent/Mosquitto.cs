using System.Diagnostics;
using System.Net.Sockets;
using PvEdge.TestSupport;

namespace PvEdge.Integration.Tests.EdgeAgent;

/// <summary>A mosquitto broker on 127.0.0.1 with its own minimal config (anonymous), killable and restartable on the same port.
/// With <c>persistence</c>, sessions, subscriptions and queued messages are saved on every change, so a persistent subscriber's
/// session survives a SIGTERM and restart and it receives what was published while it was reconnecting (QoS 0 included).
/// Run as root, mosquitto drops to the user "mosquitto", which cannot write (or read certificates) in a folder made by
/// <see cref="Directory.CreateTempSubdirectory(string?)"/> (mode 0700), so it is told to stay root: otherwise every save fails
/// and nothing survives a restart (as this helper's users found out from a test that failed one run in four). The in-flight
/// window is unlimited: mosquitto 2.0.11 (Debian 12) can skip a queued QoS 1 message when it refills a full window of 20 for a
/// session that comes back (eclipse-mosquitto/mosquitto#2349; fixes to the in-flight quota came in 2.0.13), seen here as one
/// telemetry minute in three runs never sent to the returning subscriber although the broker had acknowledged it.</summary>
internal sealed class Mosquitto : IDisposable
{
    private readonly string _program;
    private readonly string _config;
    private Process? _process;

    /// <param name="tls">PEM files of the CA, the broker's certificate and its key: the listener speaks TLS only</param>
    /// <param name="passwordFile">a mosquitto_passwd file: clients must log in (no anonymous access)</param>
    /// <param name="aclFile">a mosquitto access-control file: which topics each client may read and write</param>
    /// <param name="requireClientCertificate">with <paramref name="tls"/>: clients must present a certificate signed by the CA</param>
    public Mosquitto(string program, string folder, int port, bool persistence = false, (string Ca, string Cert, string Key)? tls = null, string? passwordFile = null,
        string? aclFile = null, bool requireClientCertificate = false)
    {
        _program = program;
        Port = port;
        _config = Path.Combine(folder, "mosquitto.conf");
        PersistenceFile = persistence ? Path.Combine(folder, "mosquitto.db") : null;
        var store = persistence
            ? $"persistence true\npersistence_location {folder}/\nautosave_on_changes true\nautosave_interval 1\nqueue_qos0_messages true\nmax_queued_messages 0\nmax_inflight_messages 0\n"
            : "persistence false\n";
        var listener = tls is { } t ? $"cafile {t.Ca}\ncertfile {t.Cert}\nkeyfile {t.Key}\n" + (requireClientCertificate ? "require_certificate true\nuse_identity_as_username true\n" : "") : "";
        var access = (passwordFile is null ? "allow_anonymous true\n" : $"allow_anonymous false\npassword_file {passwordFile}\n")
            + (aclFile is null ? "" : $"acl_file {aclFile}\n");
        var user = GetEffectiveUserId() == 0 ? "user root\n" : "";
        File.WriteAllText(_config, $"listener {port} 127.0.0.1\n{listener}{access}{store}{user}");
    }

    public int Port { get; }

    /// <summary>Where the broker saves its sessions and queued messages (null without persistence).</summary>
    public string? PersistenceFile { get; }

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
    /// restart.</summary>
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

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEffectiveUserId();

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
