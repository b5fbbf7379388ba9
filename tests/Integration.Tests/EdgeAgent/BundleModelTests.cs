using PvEdge.EdgeAgent.Hosting;
using PvEdge.EdgeAgent.Inference;
using PvEdge.EdgeAgent.Weather;
using PvEdge.ModelExport.Export;
using PvEdge.ModelExport.Training;
using PvEdge.Shared.Bundle;
using PvEdge.Shared.Learning;
using PvEdge.Shared.Learning.Chain;

namespace PvEdge.Integration.Tests.EdgeAgent;

/// <summary>A bundle written by modelexport's exporter (an untrained chain: the point is the plumbing), loaded by the agent.</summary>
public sealed class BundleModelTests : IDisposable
{
    private static readonly DateTimeOffset Noon = new(2026, 6, 21, 17, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("edgeagent-bundle-").FullName;

    private string MakeBundle(string? privateKey = null)
    {
        var modelDir = Path.Combine(_dir, "model");
        var model = new ChainModel(new ChainNets(ChainConfig.Default, new SeededRandom(3)), new SiteParameters(1, ChainConfig.Default.LatentSize));
        ChainBundle.Save(modelDir, model, "finetuned", Noon, null);
        File.WriteAllText(Path.Combine(modelDir, ChainBundle.SiteFile), DefaultSiteModels.DemoSiteJson);
        var output = Path.Combine(_dir, "bundle");
        BundleExporter.Export(modelDir, output, privateKey, null, Noon);
        return output;
    }

    [Fact]
    public void Load_ExportedBundleOnnxRunner_PredictsWithEngineInShadow()
    {
        var models = DefaultSiteModels.Load(null, new ModelOptions { BundlePath = MakeBundle(), Runner = "onnx" });
        Assert.Null(models.Notes);
        var model = Assert.IsType<BundlePowerModel>(models.Model);
        Assert.Equal("onnx", model.Runner);
        Assert.Equal("engine", model.ShadowRunner);
        var w = WeatherState.ClearSkyWeather(models.ClearSky, Noon, TimeSpan.FromHours(1));
        var ac = model.ExpectedAcW(w, TimeSpan.FromHours(1));
        Assert.InRange(ac, 0, model.AcRatingW);
        Assert.True(model.ShadowDisagreementW < 1.0, $"onnx and engine disagree by {model.ShadowDisagreementW} W");
        Assert.Equal(0, model.ExpectedAcW(WeatherState.ClearSkyWeather(models.ClearSky, Noon.AddHours(10), TimeSpan.FromHours(1)), TimeSpan.FromHours(1)));
    }

    [Fact]
    public void Load_MissingBundle_PhysicsWithNote()
    {
        var models = DefaultSiteModels.Load(null, new ModelOptions { BundlePath = Path.Combine(_dir, "nope"), Runner = "onnx" });
        Assert.IsType<PhysicsPowerModel>(models.Model);
        Assert.Contains("not found", Assert.Single(models.Notes!), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnsignedBundleWhenKeyRequired_PhysicsWithNote()
    {
        var (_, publicPem) = BundleKeys.Generate();
        var keyFile = Path.Combine(_dir, "trusted.pub");
        File.WriteAllBytes(keyFile, publicPem);
        var models = DefaultSiteModels.Load(null, new ModelOptions { BundlePath = MakeBundle(), Runner = "onnx", PublicKeyFile = keyFile });
        Assert.IsType<PhysicsPowerModel>(models.Model);
        Assert.Single(models.Notes!);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, true);
        }
        catch (IOException)
        {
        }
    }
}
