using PvEdge.TestSupport;

namespace PvEdge.Integration.Tests.Deploy;

/// <summary>deploy/systemd/edgeagent.service: systemd's own checker accepts it, and it keeps the properties the issue requires.</summary>
public sealed class SystemdUnitTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pvedge-unit-").FullName;

    private static string Unit => File.ReadAllText(RepoPaths.InRepo("deploy/systemd/edgeagent.service"));

    /// <summary>systemd-analyze verify on a copy whose ExecStart points at a binary that exists here. It exits 0 even on unknown keys,
    /// so every line it prints is a finding.</summary>
    private ProcessResult Verify(string unitText)
    {
        var analyze = ExternalTools.Require("systemd-analyze", "systemd");
        var path = Path.Combine(_dir, "edgeagent.service");
        File.WriteAllText(path, unitText.Replace("ExecStart=/opt/edgeagent/current/edgeagent ", "ExecStart=/bin/true ", StringComparison.Ordinal));
        return ProcessRunner.Run(analyze, ["verify", path], TimeSpan.FromSeconds(60));
    }

    [SkippableFact]
    public void Verify_ShippedUnit_NoFindings()
    {
        Assert.Contains("ExecStart=/opt/edgeagent/current/edgeagent run --config /etc/edgeagent/edgeagent.json", Unit, StringComparison.Ordinal);
        var result = Verify(Unit);
        Assert.True(result.ExitCode == 0 && result.All.Trim().Length == 0, $"systemd-analyze verify: exit {result.ExitCode}: {result.All}");
    }

    [SkippableFact]
    public void Verify_MisspelledKey_IsReported()
    {
        var result = Verify(Unit.Replace("WatchdogSec=", "WatchdgSec=", StringComparison.Ordinal));
        Assert.Contains("Unknown key 'WatchdgSec'", result.All, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Type=notify")]
    [InlineData("NotifyAccess=main")]
    [InlineData("WatchdogSec=120")]
    [InlineData("Restart=always")]
    [InlineData("StateDirectory=edgeagent")]
    [InlineData("ConfigurationDirectory=edgeagent")]
    [InlineData("User=edgeagent")]
    [InlineData("SupplementaryGroups=gpio i2c dialout")]
    [InlineData("ProtectSystem=strict")]
    [InlineData("ProtectHome=yes")]
    [InlineData("NoNewPrivileges=yes")]
    [InlineData("PrivateTmp=yes")]
    [InlineData("MemoryMax=256M")]
    public void Unit_RequiredSetting_IsPresent(string line)
    {
        Assert.Contains(line, Unit.Split('\n').Select(l => l.Trim()));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
