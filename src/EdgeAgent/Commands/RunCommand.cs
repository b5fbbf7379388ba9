using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.Shared.Cli;

namespace PvEdge.EdgeAgent.Commands;

/// <summary><c>edgeagent run [--config F] [--speed N] [--demo]</c>: the worker service (a demo on embedded defaults when nothing is configured).</summary>
public sealed class RunCommand : ICliCommand
{
    public string Name => "run";

    public string Usage => "run [--config F] [--speed N] [--demo]  runs the agent (with no configuration: the demo with simulator, embedded broker, clear sky × clouds)";

    public async Task<int> RunAsync(CliArguments args, CliContext context, CancellationToken cancellationToken)
    {
        var settings = new AgentHostSettings
        {
            ConfigFile = args.Optional("config"),
            Speed = args.Has("speed") ? args.Double("speed", 1, 1, 100_000) : null,
            Demo = args.Flag("demo") ? true : null,
            ConsoleOut = context.Out,
        };
        args.RejectUnknown();
        var setup = AgentHost.Configure(settings);
        using var host = AgentHost.Build(settings, setup);
        var stages = host.Services.GetServices<IHostedService>().ToList();
        try
        {
            await host.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OptionsValidationException ex)
        {
            throw new InputException($"configuration: {ex.Failures.FirstOrDefault() ?? ex.Message}");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C: the host stopped cleanly
            return 0;
        }
        var faulted = AgentHost.FaultedStages(stages);
        foreach (var (stage, error) in faulted)
        {
            context.Error.WriteLine($"edgeagent: the {stage} stage failed and stopped the agent: {error.GetType().Name}: {error.Message}");
        }
        return faulted.Count > 0 ? 1 : 0;
    }
}
