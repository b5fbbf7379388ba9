using PvEdge.EdgeAgent.Hosting;
using PvEdge.Shared.Cli;

ProcessClock.StartTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();

// The host is composed by the `run` command; with no arguments the agent runs its demo (`run` on embedded defaults).
using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
var commands = CliHost.Discover(typeof(Program).Assembly);
var effective = args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal) && args[0] != "--version" && args[0] != "--help"
    ? ["run", .. args]
    : args;
return await CliHost.RunAsync("edgeagent", effective, commands, CliContext.Console(), cts.Token);
