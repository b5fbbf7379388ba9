using System.Collections.Concurrent;
using System.Diagnostics;
using PvEdge.EdgeAgent.Hosting;

namespace PvEdge.Integration.Tests.Deploy;

/// <summary>The real <c>edgeagent</c> as a child process (the build the tests reference, started through the dotnet host), with its output
/// drained into a short ring buffer for failure messages. <see cref="Kill"/> is SIGKILL: no shutdown code runs.</summary>
internal sealed class AgentProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _tail = new();

    private AgentProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static AgentProcess Start(params string[] args)
    {
        var info = StartInfo(args);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        return new AgentProcess(Process.Start(info)!);
    }

    /// <summary>How to start the referenced x64 build of edgeagent with these arguments (no EDGEAGENT__ variables inherited).</summary>
    public static ProcessStartInfo StartInfo(params string[] args)
    {
        var dll = typeof(AgentHost).Assembly.Location;
        var dir = Path.GetDirectoryName(dll)!;
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        var info = new ProcessStartInfo(host) { WorkingDirectory = dir };
        info.ArgumentList.Add("exec");
        if (!File.Exists(Path.Combine(dir, "edgeagent.runtimeconfig.json")))
        {
            // The test's own runtime and dependency files cover everything edgeagent needs (it is a project reference).
            var self = Path.GetFileNameWithoutExtension(typeof(AgentProcess).Assembly.Location);
            info.ArgumentList.Add("--runtimeconfig");
            info.ArgumentList.Add(Path.Combine(dir, self + ".runtimeconfig.json"));
            info.ArgumentList.Add("--depsfile");
            info.ArgumentList.Add(Path.Combine(dir, self + ".deps.json"));
        }
        info.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        foreach (var k in Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(k => k.StartsWith(AgentConfiguration.EnvironmentPrefix, StringComparison.OrdinalIgnoreCase)))
        {
            info.Environment.Remove(k);
        }
        return info;
    }

    public bool HasExited => _process.HasExited;

    public string Tail => string.Join('\n', _tail);

    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.WaitForExit(10_000);
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        _tail.Enqueue(line);
        while (_tail.Count > 40)
        {
            _tail.TryDequeue(out _);
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
