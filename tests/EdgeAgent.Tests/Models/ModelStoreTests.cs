using PvEdge.EdgeAgent.Hosting;
using PvEdge.EdgeAgent.Inference;
using PvEdge.EdgeAgent.Models;
using PvEdge.EdgeAgent.Weather;
using PvEdge.Shared.Bundle;

namespace PvEdge.EdgeAgent.Tests.Models;

/// <summary>The model store: a bundle dropped in the folder is verified, validated on history, swapped atomically and in place, watched on
/// probation and rolled back; refused bundles go to rejected/ and the model in use stays; a restart loads what <c>current</c> names.</summary>
public sealed class ModelStoreTests : IDisposable
{
    private static readonly TimeSpan Quarter = TimeSpan.FromMinutes(15);
    private static readonly string DefaultId = DerivedBundles.LoadDefault().ModelId;
    private readonly StoreHarness _h = new();

    /// <summary>What the model in use expects at local noon under a clear sky (proves it still answers).</summary>
    private double NoonAcW()
    {
        var noon = new DateTimeOffset(2026, 6, 24, 17, 0, 0, TimeSpan.Zero);
        return _h.Slot.ExpectedAcW(WeatherState.ClearSkyWeather(_h.Weather.ClearSky, noon, Quarter), Quarter);
    }

    private string[] Rejected() => Directory.GetFileSystemEntries(_h.Store.Rejected).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    private void AssertRefused(string bundle, string reasonPart)
    {
        Assert.Equal(DefaultId, _h.Slot.Id);
        Assert.True(NoonAcW() > 1000, "the previous model still answers");
        Assert.Empty(Directory.GetFileSystemEntries(_h.Store.Drop));
        var reason = Assert.Single(Rejected(), n => n.EndsWith($"-{bundle}.reason.txt", StringComparison.Ordinal));
        Assert.Contains(reasonPart, File.ReadAllText(Path.Combine(_h.Store.Rejected, reason)), StringComparison.Ordinal);
        Assert.Contains(Rejected(), n => n.EndsWith($"-{bundle}", StringComparison.Ordinal) || n.EndsWith($"-{bundle}.zip", StringComparison.Ordinal));
        var line = Assert.Single(_h.Log.Lines, l => l.EventId == 814);
        Assert.Contains(bundle, line.Message, StringComparison.Ordinal);
        Assert.Contains(reasonPart, line.Message, StringComparison.Ordinal);
        Assert.Contains($"model {DefaultId} stays in use", line.Message, StringComparison.Ordinal);
        var topic = _h.ModelTopic();
        Assert.Equal(DefaultId, topic.GetProperty("id").GetString());
        Assert.Equal("refused", topic.GetProperty("event").GetProperty("type").GetString());
        Assert.Contains(reasonPart, topic.GetProperty("event").GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.False(File.Exists(_h.Store.PointerPath), "a refused bundle never touches the pointer");
    }

    [Fact]
    public void Poll_SignedBundleDropped_VerifiedCopiedSwappedInPlaceAndPublished()
    {
        var drop = _h.Drop("site-v2");

        _h.Service.Poll();
        Assert.Equal(DefaultId, _h.Slot.Id); // first look: it may still be being copied
        _h.Wall.Advance(TimeSpan.FromSeconds(_h.Options.PollSeconds));
        _h.Service.Poll();

        Assert.Equal("site-v2", _h.Slot.Id);
        Assert.Equal(DefaultId, _h.Slot.Baseline?.Id);
        Assert.True(NoonAcW() > 1000);
        Assert.False(Directory.Exists(drop));
        var pointer = _h.Pointer();
        Assert.Equal("0001-site-v2", pointer.Current);
        Assert.Null(pointer.Previous); // the model it replaced is the configured bundle, not a store version
        Assert.Equal(ModelStatus.Probation, pointer.State);
        Assert.Equal("site-v2", BundleLoader.Load(_h.Store.VersionPath("0001-site-v2"), _h.Store.TrustedKey).ModelId);
        var topic = _h.ModelTopic();
        Assert.Equal("site-v2", topic.GetProperty("id").GetString());
        Assert.Equal("store", topic.GetProperty("source").GetString());
        Assert.Equal("0001-site-v2", topic.GetProperty("version").GetString());
        Assert.Equal("probation", topic.GetProperty("state").GetString());
        Assert.Equal(DefaultId, topic.GetProperty("previous").GetString());
        Assert.Equal("installed", topic.GetProperty("event").GetProperty("type").GetString());
        Assert.Contains("too little history", topic.GetProperty("event").GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.True(_h.Channels.ForecastRequests.Reader.TryRead(out var request));
        Assert.Equal("new model", request);
    }

    [Fact]
    public void Poll_ZipBundleDropped_InstalledAsVersionFolder()
    {
        _h.Drop("zipped", zip: true);

        _h.PollTwice();

        Assert.Equal("zipped", _h.Slot.Id);
        Assert.True(File.Exists(Path.Combine(_h.Store.VersionPath("0001-zipped"), BundleFormat.ChainOnnx)));
        Assert.Empty(Directory.GetFileSystemEntries(_h.Store.Drop));
    }

    [Fact]
    public void Poll_BundleStillChanging_NotTakenUntilStable()
    {
        var drop = _h.Drop("growing");
        _h.Service.Poll();
        File.AppendAllText(Path.Combine(drop, "report", "late.txt"), "still copying");

        _h.Wall.Advance(TimeSpan.FromSeconds(_h.Options.PollSeconds));
        _h.Service.Poll();

        Assert.Equal(DefaultId, _h.Slot.Id);
        Assert.True(Directory.Exists(drop));
    }

    [Theory]
    [InlineData("chain.onnx")]
    [InlineData("factors/module.onnx")]
    [InlineData("formulas.json")]
    [InlineData("site.json")]
    public void Poll_OneByteChangedInAFile_RefusedNamingTheFileAndPreviousModelStays(string file)
    {
        var prepared = _h.Prepare("tampered");
        DerivedBundles.FlipByte(prepared, file);
        _h.DropPrepared(prepared);

        _h.PollTwice();

        AssertRefused("tampered", file);
        Assert.Contains("altered", File.ReadAllText(Directory.GetFiles(_h.Store.Rejected, "*.reason.txt").Single()), StringComparison.Ordinal);
    }

    [Fact]
    public void Poll_FileMissing_RefusedNamingTheFile()
    {
        var prepared = _h.Prepare("incomplete");
        File.Delete(Path.Combine(prepared, "factors", "inverter.onnx"));
        _h.DropPrepared(prepared);

        _h.PollTwice();

        AssertRefused("incomplete", "factors/inverter.onnx: missing");
    }

    [Fact]
    public void Poll_SignedWithAnotherKey_RefusedOnTheSignature()
    {
        var (otherKey, _) = DerivedBundles.Keys(_h.Dir, "stranger");
        _h.Drop("foreign", privateKey: otherKey);

        _h.PollTwice();

        AssertRefused("foreign", "manifest.sig: signature does not verify");
    }

    [Fact]
    public void Poll_ManifestEditedAfterSigning_RefusedOnTheSignature()
    {
        var prepared = _h.Prepare("edited");
        var manifest = Path.Combine(prepared, BundleFormat.Manifest);
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"edited\"", "\"edited-by-hand\"", StringComparison.Ordinal));
        _h.DropPrepared(prepared);

        _h.PollTwice();

        AssertRefused("edited", "manifest.sig: signature does not verify");
    }

    [Fact]
    public void Poll_UnknownSchema_Refused()
    {
        var prepared = _h.Prepare("future");
        DerivedBundles.SetSchema(prepared, 2, _h.PrivateKey);
        _h.DropPrepared(prepared);

        _h.PollTwice();

        AssertRefused("future", "schema 2 is unknown");
    }

    [Fact]
    public void Poll_UnsignedBundleWhileKeyConfigured_Refused()
    {
        var path = Path.Combine(_h.Dir, "outgoing", "unsigned");
        DerivedBundles.Write(path, "unsigned", privateKey: null);
        _h.DropPrepared(path);

        _h.PollTwice();

        AssertRefused("unsigned", "manifest.sig: missing");
    }

    [Fact]
    public void Poll_BundleForAnotherSite_Refused()
    {
        var path = Path.Combine(_h.Dir, "outgoing", "elsewhere");
        DerivedBundles.Write(path, "elsewhere", _h.PrivateKey, editSite: json => json.Replace("36.1", "48.1", StringComparison.Ordinal));
        _h.DropPrepared(path);

        _h.PollTwice();

        AssertRefused("elsewhere", "this gateway is at 36.1");
    }

    [Fact]
    public void Poll_CorruptZip_Refused()
    {
        File.WriteAllText(Path.Combine(_h.Store.Drop, "broken.zip"), "PK\u0003\u0004 not really a zip");

        _h.PollTwice();

        Assert.Equal(DefaultId, _h.Slot.Id);
        Assert.Contains(Rejected(), n => n.EndsWith("-broken.zip", StringComparison.Ordinal));
    }

    [Fact]
    public void Poll_NegativeOutputs_RefusedByOutputChecksWithoutHistory()
    {
        _h.Drop("negative", acScale: -1);

        _h.PollTwice();

        AssertRefused("negative", "negative");
    }

    [Fact]
    public void Poll_NaNOutputs_RefusedByOutputChecks()
    {
        _h.Drop("nan", acScale: double.NaN);

        _h.PollTwice();

        AssertRefused("nan", "NaN");
    }

    [Fact]
    public void Poll_OutputsAboveRating_RefusedByOutputChecks()
    {
        _h.Drop("oversized", acScale: 3);

        _h.PollTwice();

        AssertRefused("oversized", "above the");
    }

    [Fact]
    public void Poll_FarWorseOnRecentHistory_RefusedWithTheComparison()
    {
        var written = _h.WriteMeasuredHistory(StoreHarness.Start.AddDays(-3), StoreHarness.Start, _h.DefaultModel());
        Assert.Equal(3 * 96, written);
        _h.Drop("weak", acScale: 0.3);

        _h.PollTwice();

        AssertRefused("weak", "daylight MAE");
        var validation = _h.ModelTopic().GetProperty("event").GetProperty("validation");
        Assert.True(validation.GetProperty("intervals").GetInt32() >= _h.Options.ValidationMinIntervals);
        Assert.True(validation.GetProperty("candidate_mae_w").GetDouble() > 3 * validation.GetProperty("reference_mae_w").GetDouble() + 100);
    }

    [Fact]
    public void Poll_AsGoodOnRecentHistory_InstalledWithTheComparison()
    {
        _h.WriteMeasuredHistory(StoreHarness.Start.AddDays(-3), StoreHarness.Start, _h.DefaultModel());
        _h.Drop("retrained");

        _h.PollTwice();

        Assert.Equal("retrained", _h.Slot.Id);
        var e = _h.ModelTopic().GetProperty("event");
        Assert.Equal("installed", e.GetProperty("type").GetString());
        Assert.Contains("daylight MAE", e.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.True(e.GetProperty("validation").GetProperty("intervals").GetInt32() >= _h.Options.ValidationMinIntervals);
    }

    [Fact]
    public void Poll_BundleAlreadyInUse_RemovedWithoutANewVersion()
    {
        _h.Drop("again");
        _h.PollTwice();
        _h.Drop("again"); // e.g. the agent was cut off after switching the pointer, before it cleared the drop folder

        _h.PollTwice();

        Assert.Equal("again", _h.Slot.Id);
        Assert.Equal("0001-again", Path.GetFileName(Assert.Single(Directory.GetDirectories(_h.Store.Versions))));
        Assert.Empty(Directory.GetFileSystemEntries(_h.Store.Drop));
        Assert.Contains(_h.Log.Lines, l => l.EventId == 817);
    }

    [Fact]
    public void Probation_LiveErrorClearlyWorse_RolledBackToThePreviousModel()
    {
        _h.Drop("dim", acScale: 0.6); // sane outputs, no history yet: accepted on verification alone
        _h.PollTwice();
        Assert.Equal("dim", _h.Slot.Id);

        _h.Time.Advance(TimeSpan.FromHours(12));
        _h.WriteMeasuredHistory(StoreHarness.Start, StoreHarness.Start.AddHours(12), _h.DefaultModel());
        _h.Service.Poll();

        Assert.Equal(DefaultId, _h.Slot.Id);
        Assert.Null(_h.Slot.Baseline);
        var pointer = _h.Pointer();
        Assert.Null(pointer.Current); // back to the configured bundle
        Assert.Contains("rolled back from 0001-dim", pointer.Reason, StringComparison.Ordinal);
        Assert.Contains(Rejected(), n => n.EndsWith("-0001-dim", StringComparison.Ordinal));
        var e = _h.ModelTopic().GetProperty("event");
        Assert.Equal("rolled_back", e.GetProperty("type").GetString());
        Assert.Equal("dim", e.GetProperty("model").GetString());
        Assert.Contains("live daylight MAE", e.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains(_h.Log.Lines, l => l.EventId == 815 && l.Message.Contains("rolled back", StringComparison.Ordinal));
    }

    [Fact]
    public void Probation_LiveErrorAsGood_ConfirmedAndPreviousUnloaded()
    {
        _h.Drop("steady");
        _h.PollTwice();

        _h.Time.Advance(TimeSpan.FromHours(12));
        _h.WriteMeasuredHistory(StoreHarness.Start, StoreHarness.Start.AddHours(12), _h.DefaultModel());
        _h.Service.Poll();

        Assert.Equal("steady", _h.Slot.Id);
        Assert.Null(_h.Slot.Baseline);
        Assert.Equal(ModelStatus.Confirmed, _h.Pointer().State);
        Assert.Equal("confirmed", _h.ModelTopic().GetProperty("event").GetProperty("type").GetString());
    }

    [Fact]
    public void Probation_FewerIntervalsThanRequired_StaysOnProbation()
    {
        _h.Drop("dim", acScale: 0.6);
        _h.PollTwice();

        _h.Time.Advance(TimeSpan.FromHours(2)); // 8 daylight intervals of the 24 required
        _h.WriteMeasuredHistory(StoreHarness.Start, StoreHarness.Start.AddHours(2), _h.DefaultModel());
        _h.Service.Poll();

        Assert.Equal("dim", _h.Slot.Id);
        Assert.Equal(ModelStatus.Probation, _h.Slot.Status.State);
    }

    [Fact]
    public void Probation_NewModelThrows_CallsAnsweredByPreviousAndRolledBackAtOnce()
    {
        _h.Drop("fragile");
        _h.PollTwice();
        _h.Slot.Swap(new ThrowingModel("fragile"), _h.Slot.Baseline, _h.Slot.Status, _h.Wall.GetUtcNow());

        var answer = NoonAcW();
        _h.Service.Poll();

        Assert.True(answer > 1000, "the baseline answered while the new model failed");
        Assert.Equal(DefaultId, _h.Slot.Id);
        Assert.Contains("inference failed", _h.ModelTopic().GetProperty("event").GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Probation_NewModelAnswersNaN_RolledBackAtOnce()
    {
        _h.Drop("v2");
        _h.PollTwice();
        var path = DerivedBundles.Write(Path.Combine(_h.Dir, "nan-bundle"), "v2", _h.PrivateKey, acScale: double.NaN);
        var nan = BundlePowerModel.Create(BundleLoader.Load(path, _h.Store.TrustedKey), "onnx");
        _h.Slot.Swap(nan, _h.Slot.Baseline, _h.Slot.Status, _h.Wall.GetUtcNow()); // as if v2 had started answering NaN

        Assert.Equal(0, NoonAcW()); // NaN is never passed on
        _h.Service.Poll();

        Assert.Equal(DefaultId, _h.Slot.Id);
        Assert.Contains("NaN", _h.ModelTopic().GetProperty("event").GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains(Rejected(), n => n.EndsWith("-0001-v2", StringComparison.Ordinal));
    }

    [Fact]
    public void Open_AfterInstall_RestartLoadsTheVersionCurrentNames()
    {
        _h.Drop("site-v2");
        _h.PollTwice();

        _h.Open();

        Assert.Equal("site-v2", _h.Slot.Id);
        Assert.Equal(ModelStatus.Probation, _h.Slot.Status.State);
        Assert.Equal(DefaultId, _h.Slot.Baseline?.Id); // probation resumes against the model it replaced
        Assert.Contains(_h.Started.Notes, n => !n.Fallback && n.Message.Contains("version 0001-site-v2", StringComparison.Ordinal));
    }

    [Fact]
    public void Open_CurrentVersionHalfWritten_FallsBackToPreviousVersionAndRepairsPointer()
    {
        _h.Drop("v2");
        _h.PollTwice();
        _h.Drop("v3");
        _h.PollTwice();
        Assert.Equal(("0002-v3", "0001-v2"), (_h.Pointer().Current, _h.Pointer().Previous));
        var chain = Path.Combine(_h.Store.VersionPath("0002-v3"), BundleFormat.ChainOnnx);
        File.WriteAllBytes(chain, File.ReadAllBytes(chain)[..100]);

        _h.Open();

        Assert.Equal("v2", _h.Slot.Id);
        Assert.Contains(_h.Started.Notes, n => n.Fallback && n.Message.Contains("0002-v3", StringComparison.Ordinal) && n.Message.Contains("chain.onnx", StringComparison.Ordinal));
        Assert.Contains(_h.Started.Notes, n => n.Fallback && n.Message.Contains("previous version 0001-v2", StringComparison.Ordinal));
        Assert.Equal("0001-v2", _h.Pointer().Current);
        Assert.False(Directory.Exists(_h.Store.VersionPath("0002-v3")));
        Assert.Contains(Rejected(), n => n.EndsWith("-0002-v3", StringComparison.Ordinal));
    }

    [Fact]
    public void Open_CurrentAndPreviousMissing_FallsBackToTheConfiguredBundle()
    {
        _h.Drop("v2");
        _h.PollTwice();
        _h.Drop("v3");
        _h.PollTwice();
        Directory.Delete(_h.Store.VersionPath("0002-v3"), recursive: true);
        Directory.Delete(_h.Store.VersionPath("0001-v2"), recursive: true);

        _h.Open();

        Assert.Equal(DefaultId, _h.Slot.Id);
        Assert.Equal("configured", _h.Slot.Status.Source);
        Assert.Contains(_h.Started.Notes, n => n.Fallback && n.Message.Contains("falling back to the configured bundle", StringComparison.Ordinal));
        Assert.Null(_h.Pointer().Current);
    }

    [Fact]
    public void Open_StagingLeftByPowerCut_RemovedAndCurrentKept()
    {
        _h.Drop("v2");
        _h.PollTwice();
        var staging = Path.Combine(_h.Store.Versions, ".staging-deadbeef");
        Directory.CreateDirectory(staging);
        File.WriteAllText(Path.Combine(staging, "chain.onnx"), "half");

        _h.Open();

        Assert.False(Directory.Exists(staging));
        Assert.Equal("v2", _h.Slot.Id);
        Assert.Contains(_h.Started.Notes, n => n.Message.Contains("staging", StringComparison.Ordinal));
    }

    [Fact]
    public void Open_StoreOff_ConfiguredModelFixed()
    {
        var configured = DefaultSiteModels.ForSite(DefaultSiteModels.LoadSite(null));

        var start = ModelStoreStart.Open(null, _h.Options, null, configured, StoreHarness.Start);

        Assert.Same(configured.Model, start.Slot.Current);
        Assert.Equal(("physics", ModelStatus.Fixed), (start.Slot.Status.Source, start.Slot.Status.State));
    }

    [Fact]
    public void Reject_MoreThanKept_OldestRejectedBundlesAndReasonsDeleted()
    {
        for (var k = 0; k < ModelStore.RejectedKept + 2; k++)
        {
            var entry = Path.Combine(_h.Store.Drop, $"junk{k:00}");
            Directory.CreateDirectory(entry);
            _h.Store.Reject(entry, "test", StoreHarness.Start.AddMinutes(k));
        }

        var left = Rejected();

        Assert.Equal(2 * ModelStore.RejectedKept, left.Length);
        Assert.DoesNotContain(left, n => n.Contains("junk00", StringComparison.Ordinal) || n.Contains("junk01", StringComparison.Ordinal));
        Assert.Contains(left, n => n.EndsWith("-junk21.reason.txt", StringComparison.Ordinal));
    }

    [Fact]
    public void RootFor_DemoWithoutStorageOrPhysicsRunner_NoStore()
    {
        Assert.Null(ModelStore.RootFor(new ModelOptions { Runner = "onnx" }, "/tmp/demo.db", databaseConfigured: false, demo: true));
        Assert.Null(ModelStore.RootFor(new ModelOptions { Runner = "physics" }, "/var/lib/edgeagent/edgeagent.db", databaseConfigured: false, demo: false));
        Assert.Equal("/var/lib/edgeagent/models", ModelStore.RootFor(new ModelOptions { Runner = "onnx" }, "/var/lib/edgeagent/edgeagent.db", databaseConfigured: false, demo: false));
    }

    public void Dispose() => _h.Dispose();

    /// <summary>A model whose inference fails.</summary>
    private sealed class ThrowingModel(string id) : IPowerModel
    {
        public string Id => id;

        public string Runner => "onnx";

        public double AcRatingW => 4166.7;

        public double DcRatingW => 5000;

        public (double P10, double P90) ResidualQuantiles => (-0.1, 0.1);

        public double ExpectedAcW(in WeatherPoint weather, TimeSpan step) => throw new InvalidOperationException("the ONNX session failed");

        public double? ExpectedAcFromPoaW(double poaWm2, double moduleTempC) => throw new InvalidOperationException("the ONNX session failed");
    }
}
