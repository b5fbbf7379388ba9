using PvEdge.InverterSimulator;

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cts.Cancel();
};
return await SimulatorCommand.RunAsync(args, Console.Out, Console.Error, TimeProvider.System, cts.Token);
