using PvEdge.TestSupport;

namespace PvEdge.Integration.Tests.Deploy;

/// <summary>deploy/install.sh under <c>--root TMP --no-systemd</c> with fake published folders: the whole lifecycle of a gateway's program.</summary>
public sealed class InstallScriptTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("pvedge-install-").FullName;

    private string Root => Path.Combine(_work, "root");

    private string Opt => Path.Combine(Root, "opt/edgeagent");

    private string ConfigFile => Path.Combine(Root, "etc/edgeagent/edgeagent.json");

    /// <summary>A folder shaped like a <c>dotnet publish</c> output: an <c>edgeagent</c> that answers --version and check-config, an edgeagent.dll
    /// unique to the version, and <paramref name="files"/> more files.</summary>
    internal static string FakeRelease(string parent, string version, bool acceptsConfig = true, int files = 3)
    {
        var dir = Path.Combine(parent, $"publish-{version}");
        Directory.CreateDirectory(dir);
        var exe = Path.Combine(dir, "edgeagent");
        File.WriteAllText(exe, $"""
            #!/bin/sh
            case "$1" in
              --version) echo "edgeagent {version}+0123abc" ;;
              check-config) {(acceptsConfig ? "echo 'configuration OK'" : "echo \"configuration key 'Mqtt:Port' = '0': out of range\" >&2; exit 2")} ;;
              *) echo "running {version}" ;;
            esac
            """.Replace("\r", "", StringComparison.Ordinal) + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(exe, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        }
        File.WriteAllText(Path.Combine(dir, "edgeagent.dll"), $"assembly of {version}");
        for (var i = 0; i < files; i++)
        {
            File.WriteAllText(Path.Combine(dir, $"lib{i}.so"), $"{version} library {i} " + new string('x', 4096));
        }
        return dir;
    }

    internal static ProcessResult Install(string root, params string[] args) =>
        ProcessRunner.Run("bash", [RepoPaths.InRepo("deploy/install.sh"), "--root", root, "--no-systemd", .. args], TimeSpan.FromSeconds(60));

    private ProcessResult InstallOk(params string[] args)
    {
        var r = Install(Root, args);
        Assert.True(r.ExitCode == 0, $"install.sh {string.Join(' ', args)}: exit {r.ExitCode}: {r.All}");
        return r;
    }

    /// <summary>The version the program under a symlink (current/previous) reports, run as the service would run it.</summary>
    private string VersionOf(string link) => ProcessRunner.Run(Path.Combine(Opt, link, "edgeagent"), ["--version"], TimeSpan.FromSeconds(10)).Out.Trim();

    /// <summary>Every path under the root with its symlink target or content length: two equal trees give equal listings.</summary>
    private List<string> Tree() => Directory.EnumerateFileSystemEntries(Root, "*", SearchOption.AllDirectories)
        .Select(p => new FileInfo(p) is { LinkTarget: { } t } ? $"{p} -> {t}" : File.Exists(p) ? $"{p} {new FileInfo(p).Length}" : p)
        .Order(StringComparer.Ordinal).ToList();

    [Fact]
    public void Install_FreshRoot_CreatesReleaseConfigStateAndUnit()
    {
        InstallOk("--from", FakeRelease(_work, "1.0.0"));
        Assert.Equal("edgeagent 1.0.0+0123abc", VersionOf("current"));
        Assert.StartsWith("releases/1.0.0-", new FileInfo(Path.Combine(Opt, "current")).LinkTarget, StringComparison.Ordinal);
        Assert.False(Path.Exists(Path.Combine(Opt, "previous")));
        Assert.Equal(File.ReadAllText(RepoPaths.InRepo("deploy/edgeagent.sample.json")), File.ReadAllText(ConfigFile));
        Assert.True(File.Exists(Path.Combine(Root, "etc/edgeagent/edgeagent.env")));
        Assert.Equal(File.ReadAllText(RepoPaths.InRepo("deploy/systemd/edgeagent.service")), File.ReadAllText(Path.Combine(Root, "etc/systemd/system/edgeagent.service")));
        Assert.True(Directory.Exists(Path.Combine(Root, "var/lib/edgeagent")));
    }

    [Fact]
    public void Install_RunTwice_LeavesTheSameTree()
    {
        var release = FakeRelease(_work, "1.0.0");
        InstallOk("--from", release);
        var before = Tree();
        var second = InstallOk("--from", release);
        Assert.Contains("already installed", second.Out, StringComparison.Ordinal);
        Assert.Equal(before, Tree());
    }

    [Fact]
    public void Upgrade_EditedConfigAndState_KeepsThemAndThePreviousVersion()
    {
        InstallOk("--from", FakeRelease(_work, "1.0.0"));
        File.WriteAllText(ConfigFile, """{ "Mqtt": { "Host": "broker.example" } }""");
        var db = Path.Combine(Root, "var/lib/edgeagent/edgeagent.db");
        File.WriteAllText(db, "history");
        InstallOk("--upgrade", "--from", FakeRelease(_work, "2.0.0"));
        Assert.Equal("edgeagent 2.0.0+0123abc", VersionOf("current"));
        Assert.Equal("edgeagent 1.0.0+0123abc", VersionOf("previous"));
        Assert.Equal("""{ "Mqtt": { "Host": "broker.example" } }""", File.ReadAllText(ConfigFile));
        Assert.Equal("history", File.ReadAllText(db));
    }

    [Fact]
    public void Upgrade_SameBuildTwice_IsANoOpAndKeepsThePreviousVersionForRollback()
    {
        InstallOk("--from", FakeRelease(_work, "1.0.0"));
        var release = FakeRelease(_work, "2.0.0");
        InstallOk("--upgrade", "--from", release);
        var before = Tree();
        var again = InstallOk("--upgrade", "--from", release);
        Assert.Contains("already installed", again.Out, StringComparison.Ordinal);
        Assert.Equal(before, Tree());
        Assert.Equal("edgeagent 2.0.0+0123abc", VersionOf("current"));
        Assert.Equal("edgeagent 1.0.0+0123abc", VersionOf("previous"));
        InstallOk("--rollback");
        Assert.Equal("edgeagent 1.0.0+0123abc", VersionOf("current"));
    }

    [Fact]
    public void Upgrade_SameVersionRebuilt_InstallsItAndKeepsTheOldBuildAsPrevious()
    {
        InstallOk("--from", FakeRelease(_work, "1.0.0"));
        InstallOk("--upgrade", "--from", FakeRelease(_work, "2.0.0"));
        // the same version number, but another build (a native library changed): a real upgrade, whose previous is the build it replaces
        var rebuilt = FakeRelease(Directory.CreateDirectory(Path.Combine(_work, "rebuilt")).FullName, "2.0.0");
        File.AppendAllText(Path.Combine(rebuilt, "lib0.so"), "patched");
        InstallOk("--upgrade", "--from", rebuilt);
        Assert.Equal(File.ReadAllText(Path.Combine(rebuilt, "lib0.so")), File.ReadAllText(Path.Combine(Opt, "current/lib0.so")));
        Assert.Equal("edgeagent 2.0.0+0123abc", VersionOf("previous"));
        Assert.NotEqual(File.ReadAllText(Path.Combine(rebuilt, "lib0.so")), File.ReadAllText(Path.Combine(Opt, "previous/lib0.so")));
        Assert.Equal(2, Directory.GetDirectories(Path.Combine(Opt, "releases")).Length);
    }

    [Fact]
    public void Upgrade_ThirdVersion_KeepsOnlyCurrentAndPrevious()
    {
        foreach (var v in new[] { "1.0.0", "2.0.0", "3.0.0" })
        {
            InstallOk("--upgrade", "--from", FakeRelease(_work, v));
        }
        var releases = Directory.GetDirectories(Path.Combine(Opt, "releases")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(2, releases.Count);
        Assert.StartsWith("2.0.0-", releases[0], StringComparison.Ordinal);
        Assert.StartsWith("3.0.0-", releases[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Upgrade_BuildRejectsTheConfig_KeepsTheRunningVersion()
    {
        InstallOk("--from", FakeRelease(_work, "1.0.0"));
        var r = Install(Root, "--upgrade", "--from", FakeRelease(_work, "2.0.0", acceptsConfig: false));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("Mqtt:Port", r.Error, StringComparison.Ordinal);
        Assert.Equal("edgeagent 1.0.0+0123abc", VersionOf("current"));
        Assert.Single(Directory.GetDirectories(Path.Combine(Opt, "releases")));
    }

    [Fact]
    public void Rollback_AfterUpgrade_SwapsCurrentAndPrevious()
    {
        InstallOk("--from", FakeRelease(_work, "1.0.0"));
        InstallOk("--upgrade", "--from", FakeRelease(_work, "2.0.0"));
        InstallOk("--rollback");
        Assert.Equal("edgeagent 1.0.0+0123abc", VersionOf("current"));
        Assert.Equal("edgeagent 2.0.0+0123abc", VersionOf("previous"));
    }

    [Fact]
    public void Rollback_NoPreviousVersion_FailsAndChangesNothing()
    {
        InstallOk("--from", FakeRelease(_work, "1.0.0"));
        var before = Tree();
        var r = Install(Root, "--rollback");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("no previous version", r.Error, StringComparison.Ordinal);
        Assert.Equal(before, Tree());
    }

    [Fact]
    public void Uninstall_KeepsConfigAndState_PurgeRemovesThem()
    {
        InstallOk("--from", FakeRelease(_work, "1.0.0"));
        File.WriteAllText(Path.Combine(Root, "var/lib/edgeagent/edgeagent.db"), "history");
        InstallOk("--uninstall");
        Assert.False(Directory.Exists(Opt));
        Assert.False(File.Exists(Path.Combine(Root, "etc/systemd/system/edgeagent.service")));
        Assert.True(File.Exists(ConfigFile));
        Assert.True(File.Exists(Path.Combine(Root, "var/lib/edgeagent/edgeagent.db")));
        InstallOk("--purge");
        Assert.False(Directory.Exists(Path.Combine(Root, "etc/edgeagent")));
        Assert.False(Directory.Exists(Path.Combine(Root, "var/lib/edgeagent")));
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);
}
