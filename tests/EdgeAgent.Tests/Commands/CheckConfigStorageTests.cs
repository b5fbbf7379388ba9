using System.Globalization;
using PvEdge.EdgeAgent.Commands;
using PvEdge.Shared.Cli;

namespace PvEdge.EdgeAgent.Tests.Commands;

/// <summary>check-config says what the agent will find at its database path, and refuses one where no database can be created (as run does).</summary>
public sealed class CheckConfigStorageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("check-storage-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<(int Code, string Out, string Error)> CheckConfig(string storagePath)
    {
        var config = Path.Combine(_dir, "edgeagent.json");
        File.WriteAllText(config, $$"""{ "Storage": { "Path": "{{storagePath}}" } }""");
        var (output, error) = (new StringWriter(CultureInfo.InvariantCulture), new StringWriter(CultureInfo.InvariantCulture));
        var code = await CliHost.RunAsync("edgeagent", ["check-config", "--config", config], [new CheckConfigCommand()], new CliContext(output, error, TimeProvider.System), CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task CheckConfig_WritableStoragePath_SaysItWillBeCreated()
    {
        var path = Path.Combine(_dir, "data", "edgeagent.db");

        var (code, output, error) = await CheckConfig(path);

        Assert.True(code == 0, error);
        Assert.Contains($"storage: {path} (created at start)", output, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task CheckConfig_StoragePathUnderAFile_ExitsTwoNamingTheKey()
    {
        File.WriteAllText(Path.Combine(_dir, "a-file"), "");
        var path = Path.Combine(_dir, "a-file", "edgeagent.db");

        var (code, _, error) = await CheckConfig(path);

        Assert.Equal(2, code);
        Assert.Contains($"configuration key 'Storage:Path' = '{path}'", Assert.Single(error.Trim().Split('\n')), StringComparison.Ordinal);
    }
}
