using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.EdgeAgent.Inference;
using PvEdge.EdgeAgent.Models;
using PvEdge.EdgeAgent.Storage;
using PvEdge.TestSupport;

namespace PvEdge.EdgeAgent.Tests.Models;

/// <summary>The whole host on fake clocks: a bundle dropped while the pipeline runs replaces the model in place and the forecast is
/// recomputed with it, without a restart.</summary>
public sealed class HotReloadHostTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edgeagent-hotreload-").FullName;

    private static string? Retained(AgentDatabase db, string topic, string property) =>
        db.ReadRetained().Where(r => r.Key == topic).Select(r => JsonDocument.Parse(r.Value).RootElement.GetProperty(property).GetString()).FirstOrDefault();

    [Fact]
    public async Task Run_BundleDroppedWhileRunning_ForecastRecomputedWithTheNewModel()
    {
        var (privateKey, publicKey) = DerivedBundles.Keys(_dir);
        var configured = DerivedBundles.Write(Path.Combine(_dir, "configured"), "host-a", privateKey);
        var start = new DateTimeOffset(2026, 6, 21, 15, 0, 0, TimeSpan.Zero);
        var plant = new FakeTimeProvider(start);
        var wall = new FakeTimeProvider(start);
        var store = Path.Combine(_dir, "store");
        var settings = PvEdge.EdgeAgent.Tests.Hosting.OfflineHost.Settings(_dir, plant, "hot", new Dictionary<string, string?>
        {
            ["Model:Runner"] = "onnx",
            ["Model:BundlePath"] = configured,
            ["Model:PublicKeyFile"] = publicKey,
            ["Model:StoreDir"] = store,
            ["Model:PollSeconds"] = "1",
        }, wall);
        using var host = AgentHost.Build(settings, AgentHost.Configure(settings));
        var db = host.Services.GetRequiredService<AgentDatabase>();
        var pipelineModel = host.Services.GetRequiredService<IPowerModel>();
        await host.StartAsync();
        try
        {
            await Until(() => Retained(db, "pvedge/hot/forecast/hourly", "model") == "host-a", wall, "the first forecast");
            var hidden = Path.Combine(store, "incoming", ".host-b");
            DerivedBundles.Write(hidden, "host-b", privateKey);
            Directory.Move(hidden, Path.Combine(store, "incoming", "host-b"));

            await Until(() => Retained(db, "pvedge/hot/forecast/hourly", "model") == "host-b", wall, "a forecast from the new model");

            Assert.Equal("host-b", pipelineModel.Id); // the instance the stages hold answers with the new model
            Assert.Equal("host-b", Retained(db, "pvedge/hot/model", "id"));
            Assert.Equal(ModelStatus.Probation, Retained(db, "pvedge/hot/model", "state"));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    /// <summary>Moves the wall clock a second at a time (the store's poll period) until <paramref name="done"/>, for at most 30 s of real time.</summary>
    private static async Task Until(Func<bool> done, FakeTimeProvider wall, string what)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!done())
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), $"no {what} within 30 s");
            wall.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(50);
        }
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
