using System.Net;
using System.Net.Sockets;

namespace PvEdge.TestSupport;

/// <summary>Finds outside programs (mosquitto, mbpoll, socat, Debian's python3 with its modules) and free loopback ports.
/// A test that needs a missing program calls <see cref="Require"/>, which reports the test as skipped with the reason.</summary>
public static class ExternalTools
{
    /// <summary>Debian's interpreter: the one that sees python3-onnx, python3-pymodbus and python3-torch (not a pyenv shim).</summary>
    public const string DebianPython = "/usr/bin/python3";

    /// <summary>The full path of a program on PATH (or an absolute path that exists), else null.</summary>
    public static string? Find(string program)
    {
        if (Path.IsPathRooted(program))
        {
            return File.Exists(program) ? program : null;
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
                     .Concat(["/usr/sbin", "/sbin", "/usr/bin"]))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>Returns the program's path or skips the calling test, naming what is missing.</summary>
    public static string Require(string program, string debianPackage)
    {
        var path = Find(program);
        Xunit.Skip.If(path is null, $"{program} is not installed (apt-get install {debianPackage}); test skipped");
        return path!;
    }

    /// <summary>Skips the calling test unless Debian's python3 can import the module.</summary>
    public static string RequirePythonModule(string module, string debianPackage)
    {
        var python = Require(DebianPython, "python3");
        using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(python, ["-c", $"import {module}"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        p.WaitForExit(30_000);
        Xunit.Skip.If(p.ExitCode != 0, $"python module {module} is not importable (apt-get install {debianPackage}); test skipped");
        return python;
    }

    /// <summary>A TCP port on 127.0.0.1 that was free a moment ago.</summary>
    public static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
