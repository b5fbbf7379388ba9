using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.EdgeAgent.Inference;
using PvEdge.EdgeAgent.Models;
using PvEdge.EdgeAgent.Publishing;
using PvEdge.EdgeAgent.Storage;
using PvEdge.EdgeAgent.Weather;

namespace PvEdge.EdgeAgent.Tests.Models;

/// <summary>A model store in a temporary folder with everything its service needs, on fake clocks: the configured model is the committed
/// default bundle, dropped bundles are signed with a test key, and "measured" history can be written from any model.</summary>
internal sealed class StoreHarness : IDisposable
{
    /// <summary>08:00 local time at the demo site (Greensboro, UTC−4) in June.</summary>
    public static readonly DateTimeOffset Start = new(2026, 6, 24, 12, 0, 0, TimeSpan.Zero);

    private static readonly TimeSpan Quarter = TimeSpan.FromMinutes(15);
    private readonly List<IDisposable> _owned = [];

    public StoreHarness(Action<ModelOptions>? configure = null)
    {
        (PrivateKey, PublicKey) = DerivedBundles.Keys(Dir);
        Options = new ModelOptions { BundlePath = DerivedBundles.DefaultPath, Runner = "onnx", PublicKeyFile = PublicKey, StoreDir = Path.Combine(Dir, "store") };
        configure?.Invoke(Options);
        Database = new AgentDatabase(Path.Combine(Dir, "agent.db"));
        Open();
    }

    public string Dir { get; } = Directory.CreateTempSubdirectory("edgeagent-models-").FullName;

    public string PrivateKey { get; }

    public string PublicKey { get; }

    public FakeTimeProvider Time { get; } = new(Start);

    public FakeTimeProvider Wall { get; } = new(Start);

    public ModelOptions Options { get; }

    public AgentDatabase Database { get; }

    public Topics Topics { get; } = new("pvedge", "storetest");

    public StageChannels Channels { get; private set; } = null!;

    public WeatherState Weather { get; private set; } = null!;

    public ModelStore Store { get; private set; } = null!;

    public ModelStoreStart Started { get; private set; } = null!;

    public ModelSlot Slot => Started.Slot;

    public ModelStoreService Service { get; private set; } = null!;

    public TestLogger<ModelStoreService> Log { get; private set; } = null!;

    /// <summary>What the agent does at start: the configured model, then the store (a restart when called again).</summary>
    public void Open()
    {
        var configured = DefaultSiteModels.Load(null, new ModelOptions { BundlePath = Options.BundlePath, Runner = Options.Runner, PublicKeyFile = DerivedBundles.DefaultPublicKey });
        Store = ModelStore.Create(Options, Database.Path, databaseConfigured: true, demo: false)!;
        Started = ModelStoreStart.Open(Store, Options, null, configured, Time.GetUtcNow());
        _owned.Add(Started.Slot);
        Channels = new StageChannels();
        Weather = new WeatherState(Started.Models.ClearSky);
        Log = new TestLogger<ModelStoreService>();
        Service = new ModelStoreService(Started, new ModelValidator(Database, Weather), Started.Models.Site, Channels, new PublishQueue(Database, Time), Topics,
            Time, new WallClock(Wall), Microsoft.Extensions.Options.Options.Create(Options), Log);
    }

    /// <summary>Writes a signed bundle derived from the default into the drop folder the way an installer should: under a hidden name, then renamed.</summary>
    public string Drop(string modelId, double acScale = 1, bool zip = false, string? privateKey = null)
    {
        var name = modelId + (zip ? ".zip" : "");
        var hidden = Path.Combine(Store.Drop, "." + name);
        DerivedBundles.Write(hidden, modelId, privateKey ?? PrivateKey, acScale);
        var target = Path.Combine(Store.Drop, name);
        if (zip)
        {
            File.Move(hidden, target);
        }
        else
        {
            Directory.Move(hidden, target);
        }
        return target;
    }

    /// <summary>Writes a bundle to a folder outside the store (to be altered before it is dropped).</summary>
    public string Prepare(string modelId)
    {
        var path = Path.Combine(Dir, "outgoing", modelId);
        return DerivedBundles.Write(path, modelId, PrivateKey);
    }

    public string DropPrepared(string prepared)
    {
        var target = Path.Combine(Store.Drop, Path.GetFileName(prepared));
        Directory.Move(prepared, target);
        return target;
    }

    /// <summary>A bundle is taken once it is unchanged between two looks: two polls, wall clock moved by a poll period in between.</summary>
    public void PollTwice()
    {
        Service.Poll();
        Wall.Advance(TimeSpan.FromSeconds(Options.PollSeconds));
        Service.Poll();
    }

    /// <summary>The retained payload of the model topic.</summary>
    public JsonElement ModelTopic()
    {
        var payload = Database.ReadRetained().Single(r => r.Key == Topics.Model).Value;
        return JsonDocument.Parse(payload).RootElement;
    }

    public StorePointer Pointer() => Store.ReadPointer(out _) ?? throw new InvalidOperationException("no pointer");

    /// <summary>"Measured" AC power in [from, to) at 15 minutes: what <paramref name="truth"/> expects under a clear sky (the weather the store gives models too).</summary>
    public int WriteMeasuredHistory(DateTimeOffset fromUtc, DateTimeOffset toUtc, IPowerModel truth)
    {
        var n = 0;
        for (var t = fromUtc; t < toUtc; t += Quarter)
        {
            var ac = truth.ExpectedAcW(WeatherState.ClearSkyWeather(Weather.ClearSky, t, Quarter), Quarter);
            Database.WriteHistory(t, Quarter, [new KeyValuePair<string, double?>("ac_power_w", ac)]);
            n++;
        }
        return n;
    }

    /// <summary>The default bundle as a separate model (the "plant" that produced the measured history).</summary>
    public BundlePowerModel DefaultModel()
    {
        var m = BundlePowerModel.Create(DerivedBundles.LoadDefault(), "onnx");
        _owned.Add(m);
        return m;
    }

    public string LogText => string.Join('\n', Log.Lines.Select(l => l.Message));

    public void Dispose()
    {
        foreach (var d in _owned)
        {
            d.Dispose();
        }
        Database.Dispose();
        Directory.Delete(Dir, recursive: true);
    }
}
