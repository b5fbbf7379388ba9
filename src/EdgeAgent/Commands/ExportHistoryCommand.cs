using System.Globalization;
using Microsoft.Data.Sqlite;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.EdgeAgent.Storage;
using PvEdge.Shared.Cli;

namespace PvEdge.EdgeAgent.Commands;

/// <summary><c>edgeagent export-history --from T --to T --out F [--step 15|1] [--db D | --config C]</c>: the local history as the CSV of formats.md.</summary>
public sealed class ExportHistoryCommand : ICliCommand
{
    public string Name => "export-history";

    public string Usage => "export-history --from T --to T --out F [--step 15|1] [--db D] [--config C]  writes the local history as CSV (for modelexport finetune)";

    public Task<int> RunAsync(CliArguments args, CliContext context, CancellationToken cancellationToken)
    {
        var from = ParseTime(args.Required("from"), "from");
        var to = ParseTime(args.Required("to"), "to");
        var output = args.Required("out");
        var step = args.Int("step", 15, 1, 15);
        if (step is not (1 or 15))
        {
            throw new InputException($"option --step: expected 1 or 15 (minutes), got {step}");
        }
        var db = args.Optional("db");
        var config = args.Optional("config");
        args.RejectUnknown();
        if (to <= from)
        {
            throw new InputException("option --to: expected a time after --from");
        }
        if (string.IsNullOrEmpty(db))
        {
            db = AgentHost.DatabasePath(AgentHost.Configure(new AgentHostSettings { ConfigFile = config, Demo = false }));
        }
        if (!File.Exists(db))
        {
            throw new InputException($"--db {db}: database not found");
        }
        List<HistoryValue> values;
        try
        {
            using var database = new AgentDatabase(db);
            values = database.ReadHistory(from, to, TimeSpan.FromMinutes(step));
        }
        catch (SqliteException e)
        {
            // a read tool leaves the file as it is (the agent moves a corrupt one aside when it starts)
            throw new InputException($"--db {db}: not a readable database ({e.Message})");
        }
        using var writer = new StreamWriter(output);
        var rows = HistoryCsv.Write(writer, values);
        context.Out.WriteLine($"wrote {output}: {rows} row(s) at {step} min from {from:o} to {to:o}");
        return Task.FromResult(0);
    }

    private static DateTimeOffset ParseTime(string s, string option) =>
        DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t
            : throw new InputException($"option --{option}: expected an ISO-8601 time such as 2026-06-01T00:00:00Z, got '{s}'");
}
