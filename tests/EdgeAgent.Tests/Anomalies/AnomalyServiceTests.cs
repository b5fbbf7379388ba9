using Microsoft.Extensions.Options;
using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Anomalies;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.EdgeAgent.Inference;
using PvEdge.EdgeAgent.Publishing;
using PvEdge.EdgeAgent.Tests.Models;
using PvEdge.EdgeAgent.Weather;

namespace PvEdge.EdgeAgent.Tests.Anomalies;

public sealed class AnomalyServiceTests : IDisposable
{
    private readonly StoreHarness _h = new();

    public void Dispose() => _h.Dispose();

    /// <summary>A model that fails on some minutes (an ONNX session gone bad) and answers 3 kW otherwise.</summary>
    private sealed class FlakyModel(Func<DateTimeOffset, bool> fails) : IPowerModel
    {
        public string Id => "flaky";

        public string Runner => "onnx";

        public double AcRatingW => 4000;

        public double DcRatingW => 5000;

        public (double P10, double P90) ResidualQuantiles => (-0.1, 0.1);

        public double ExpectedAcW(in WeatherPoint weather, TimeSpan step) =>
            fails(weather.StartUtc) ? throw new InvalidOperationException("the ONNX session failed") : 3000;

        public double? ExpectedAcFromPoaW(double poaWm2, double moduleTempC) => null;
    }

    private AnomalyService Service(IPowerModel model, TestLogger<AnomalyService> log, OpenFaults faults) =>
        new(_h.Channels, model, _h.Weather, Options.Create(new AnomalyOptions { DebounceMinutes = 10 }), new PublishQueue(_h.Database, _h.Time), _h.Topics,
            _h.Time, log, _h.Database, faults);

    // feeds minutes [from, to) of AC and waits until the stage has taken them all
    private async Task Feed(AnomalyService service, DateTimeOffset t0, int from, int to, double acW)
    {
        for (var i = from; i < to; i++)
        {
            await _h.Channels.ToAnomalies.Writer.WriteAsync(new IntervalRecord(t0.AddMinutes(i), TimeSpan.FromMinutes(1),
                new Dictionary<string, double?> { ["ac_power_w"] = acW, ["inverter_state"] = 4 }, 1));
        }
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (_h.Channels.ToAnomalies.Reader.Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        await Task.Delay(100);
    }

    private List<System.Text.Json.JsonElement> AnomalyMessages() => [.. _h.Database.PeekOutbox(10_000).Where(m => m.Topic == _h.Topics.Anomaly)
        .Select(m => System.Text.Json.JsonDocument.Parse(m.Payload).RootElement)];

    [Fact]
    public async Task Restart_OpenEventGoesOnUnderItsIdAndClosesOnce()
    {
        var t0 = _h.Time.GetUtcNow();
        var model = new FlakyModel(_ => false);
        var first = Service(model, new TestLogger<AnomalyService>(), new OpenFaults());
        await first.StartAsync(CancellationToken.None);
        await Feed(first, t0, 0, 60, 1000); // a third of the expected 3 kW: underperformance
        await first.StopAsync(CancellationToken.None);
        var opened = Assert.Single(AnomalyMessages());
        Assert.Equal("open", opened.GetProperty("state").GetString());
        var id = opened.GetProperty("id").GetString();

        // the agent starts again on the same database an hour later
        var faults = new OpenFaults();
        var second = Service(model, new TestLogger<AnomalyService>(), faults);
        Assert.Equal(id, Assert.Single(second.OpenEvents).Id);
        Assert.Equal(id, Assert.Single(faults.Events).Id);
        await second.StartAsync(CancellationToken.None);
        await Feed(second, t0, 120, 170, 2900); // repaired
        var active = _h.Database.ReadRetained().Single(kv => kv.Key == _h.Topics.AnomalyActive).Value;
        Assert.Empty(AnomalyEvent.ParseActive(active));
        await second.StopAsync(CancellationToken.None);

        var messages = AnomalyMessages();
        Assert.Equal(2, messages.Count);
        var closed = messages[1];
        Assert.Equal(id, closed.GetProperty("id").GetString());
        Assert.Equal("closed", closed.GetProperty("state").GetString());
        Assert.Equal(opened.GetProperty("start").GetString(), closed.GetProperty("start").GetString());
        Assert.Equal(PvEdge.EdgeAgent.Publishing.PayloadWriter.Timestamp(t0.AddMinutes(120)), closed.GetProperty("end").GetString());
        Assert.Empty(second.OpenEvents);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"events\": 3}")]
    [InlineData("{\"events\": [{\"id\": \"x\"}, 5]}")]
    public void ParseActive_Damaged_GivesNoEvent(string payload)
    {
        Assert.Empty(AnomalyEvent.ParseActive(payload));
    }

    [Fact]
    public async Task Minutes_ModelFailsOnSome_SkippedWithOneLineAndTheStageCarriesOn()
    {
        var t0 = _h.Time.GetUtcNow();
        var model = new FlakyModel(t => t < t0.AddMinutes(5));
        var log = new TestLogger<AnomalyService>();
        var faults = new OpenFaults();
        var service = new AnomalyService(_h.Channels, model, _h.Weather, Options.Create(new AnomalyOptions { DebounceMinutes = 10 }),
            new PublishQueue(_h.Database, _h.Time), _h.Topics, _h.Time, log, _h.Database, faults);
        await service.StartAsync(CancellationToken.None);

        // five minutes the model cannot judge, then an hour of AC at a third of what it expects
        for (var i = 0; i < 65; i++)
        {
            await _h.Channels.ToAnomalies.Writer.WriteAsync(new IntervalRecord(t0.AddMinutes(i), TimeSpan.FromMinutes(1),
                new Dictionary<string, double?> { ["ac_power_w"] = 1000, ["inverter_state"] = 4 }, 1));
        }
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!faults.Events.Any() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        await service.StopAsync(CancellationToken.None);

        var failed = Assert.Single(log.Lines, l => l.EventId == 701);
        Assert.Contains("the ONNX session failed", failed.Message, StringComparison.Ordinal);
        Assert.Equal(AnomalyTypes.Underperformance, Assert.Single(faults.Events).Type);
        Assert.True(faults.Watched);
        Assert.False(service.ExecuteTask!.IsFaulted);
    }
}
