using System.Collections.Concurrent;
using System.Diagnostics;

namespace PvEdge.Integration.Tests.EdgeAgent;

/// <summary>The edgeagent program as a child process (dotnet edgeagent.dll run --config F), with its output kept for diagnostics.</summary>
internal sealed class AgentProcess : IDisposable
{
    private readonly Process _process;

    public AgentProcess(string configFile, IReadOnlyDictionary<string, string>? environment = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "edgeagent.dll");
        var psi = new ProcessStartInfo("dotnet", [dll, "run", "--config", configFile])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(configFile)!,
        };
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) { Output.Enqueue(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Output.Enqueue(e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public ConcurrentQueue<string> Output { get; } = new();

    public bool HasExited => _process.HasExited;

    /// <summary>SIGKILL.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
    }

    public string Log => string.Join('\n', Output);

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
