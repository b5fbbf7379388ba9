using System.Collections.Concurrent;
using System.Diagnostics;
using PvEdge.EdgeAgent.Hosting;

namespace PvEdge.Integration.Tests;

/// <summary>The real <c>edgeagent</c> as a child process (the build the tests reference, started through the dotnet host), with its output
/// kept for assertions (<see cref="Output"/>) and failure messages (<see cref="Log"/>, <see cref="Tail"/>). <see cref="Kill"/> is SIGKILL:
/// no shutdown code runs. One helper for every integration test that runs the agent.</summary>
internal sealed class AgentProcess : IDisposable
{
    private readonly Process _process;

    private AgentProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static AgentProcess Start(params string[] args) => Start(args, environment: null, workingDirectory: null);

    /// <summary>Starts the agent with <paramref name="args"/>, extra environment variables and, when given, another working directory.</summary>
    public static AgentProcess Start(IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment, string? workingDirectory)
    {
        var info = StartInfo([.. args]);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[k] = v;
        }
        if (workingDirectory is not null)
        {
            info.WorkingDirectory = workingDirectory;
        }
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

    /// <summary>Every line the agent wrote to stdout and stderr, in order.</summary>
    public ConcurrentQueue<string> Output { get; } = new();

    /// <summary>All of the output, for a failure message.</summary>
    public string Log => string.Join('\n', Output);

    /// <summary>The last 40 lines of the output, for a failure message inside a loop.</summary>
    public string Tail => string.Join('\n', Output.TakeLast(40));

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
        if (line is not null)
        {
            Output.Enqueue(line);
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
