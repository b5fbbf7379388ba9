using System.Diagnostics;

namespace PvEdge.Integration.Tests.Deploy;

/// <summary>The outcome of an outside program.</summary>
internal sealed record ProcessResult(int ExitCode, string Out, string Error)
{
    public string All => Out + Error;
}

/// <summary>Runs outside programs (bash, systemd-analyze, qemu, dotnet) with a time limit, capturing both streams.</summary>
internal static class ProcessRunner
{
    public static ProcessResult Run(string program, IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null) =>
        Run(new ProcessStartInfo(program, arguments) { WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory }, timeout);

    public static ProcessResult Run(ProcessStartInfo info, TimeSpan timeout)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var program = info.FileName;
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', info.ArgumentList)} did not finish within {timeout.TotalSeconds:0} s");
        }
        p.WaitForExit();
        return new ProcessResult(p.ExitCode, stdout.Result, stderr.Result);
    }
}
