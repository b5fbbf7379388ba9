using PvEdge.Shared.Cli;

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
return await CliHost.RunAsync("modelexport", args, CliHost.Discover(typeof(Program).Assembly), CliContext.Console(), cts.Token);
