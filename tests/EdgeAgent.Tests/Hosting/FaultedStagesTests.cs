using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PvEdge.EdgeAgent.Hosting;

namespace PvEdge.EdgeAgent.Tests.Hosting;

/// <summary>What <c>edgeagent run</c> reads after its host stops: which stages ended with an exception (a non-zero exit then).</summary>
public sealed class FaultedStagesTests
{
    private sealed class FailingStage : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await Task.Delay(20, stoppingToken);
            throw new InvalidOperationException("disk gone");
        }
    }

    private sealed class QuietStage : BackgroundService
    {
        protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Delay(Timeout.Infinite, stoppingToken);
    }

    private static IHost Host(bool failing)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Services.AddHostedService<QuietStage>();
        if (failing)
        {
            builder.Services.AddHostedService<FailingStage>();
        }
        return builder.Build();
    }

    [Fact]
    public async Task FaultedStages_AStageThrows_TheHostStopsAndTheStageIsNamed()
    {
        using var host = Host(failing: true);
        var stages = host.Services.GetServices<IHostedService>().ToList();

        await host.RunAsync().WaitAsync(TimeSpan.FromSeconds(30));

        var (stage, error) = Assert.Single(AgentHost.FaultedStages(stages));
        Assert.Equal("FailingStage", stage);
        Assert.Equal("disk gone", error.Message);
    }

    [Fact]
    public async Task FaultedStages_StoppedOnRequest_NoneNamed()
    {
        using var host = Host(failing: false);
        var stages = host.Services.GetServices<IHostedService>().ToList();
        await host.StartAsync();

        await host.StopAsync();

        Assert.Single(stages);
        Assert.Empty(AgentHost.FaultedStages(stages));
    }
}
