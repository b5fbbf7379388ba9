using System.Globalization;
using PvEdge.EdgeAgent.Commands;
using PvEdge.Shared.Cli;

namespace PvEdge.EdgeAgent.Tests.Commands;

public sealed class ExportHistoryCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("export-history-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task ExportHistory_CorruptDatabase_ExitsTwoInOneLineAndLeavesTheFile()
    {
        var db = Path.Combine(_dir, "edgeagent.db");
        var garbage = Enumerable.Range(0, 8192).Select(i => (byte)(i % 253)).ToArray();
        File.WriteAllBytes(db, garbage);
        var output = new StringWriter(CultureInfo.InvariantCulture);

        var code = await CliHost.RunAsync("edgeagent",
            ["export-history", "--db", db, "--from", "2026-06-21T00:00:00Z", "--to", "2026-06-22T00:00:00Z", "--out", Path.Combine(_dir, "h.csv")],
            [new ExportHistoryCommand()], new CliContext(output, output, TimeProvider.System), CancellationToken.None);

        Assert.Equal(2, code);
        var line = Assert.Single(output.ToString().Trim().Split('\n'));
        Assert.Contains($"--db {db}: not a readable database", line, StringComparison.Ordinal);
        Assert.Equal(garbage, File.ReadAllBytes(db));
    }
}
