using System.Text.Json;
using PvEdge.ModelExport.Distillation;
using PvEdge.ModelExport.Training;
using PvEdge.Shared.Bundle;
using PvEdge.Shared.Cli;
using PvEdge.Shared.Formulas;
using PvEdge.Shared.Sites;
using PvEdge.Shared.Tests.Bundle;

namespace PvEdge.ModelExport.Tests.Commands;

public sealed class BundleCommandsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "pvedge-bundlecmd-" + Guid.NewGuid().ToString("N"));

    public BundleCommandsTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var commands = CliHost.Discover(typeof(PvEdge.ModelExport.Commands.ExportCommand).Assembly);
        var code = await CliHost.RunAsync("modelexport", args, commands, new CliContext(stdout, stderr, TimeProvider.System), CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A fine-tuned-looking model folder: random one-site chain + site.json.</summary>
    private string ModelFolder(int sites = 1)
    {
        var folder = Path.Combine(_dir, "model");
        var model = TestBundle.RandomModel(9);
        if (sites != 1)
        {
            model = new Shared.Learning.Chain.ChainModel(model.Nets, new Shared.Learning.Chain.SiteParameters(sites, model.Nets.Config.LatentSize));
        }
        ChainBundle.Save(folder, model, sites == 1 ? "site" : "foundation", DateTimeOffset.UnixEpoch, null, "test");
        if (sites == 1)
        {
            File.WriteAllText(Path.Combine(folder, ChainBundle.SiteFile), TestBundle.SiteJson);
        }
        return folder;
    }

    [Fact]
    public async Task Keygen_Out_WritesPemPairThatSignsAndVerifies()
    {
        var k = Path.Combine(_dir, "keys", "pub");

        var (code, stdout, _) = await Run("keygen", "--out", k);
        var again = await Run("keygen", "--out", k);

        Assert.Equal(0, code);
        Assert.Contains("pub.key", stdout, StringComparison.Ordinal);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(k + ".key"), StringComparison.Ordinal);
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", File.ReadAllText(k + ".pub"), StringComparison.Ordinal);
        var signature = BundleKeys.Sign(k + ".key", "hello"u8);
        Assert.True(BundleKeys.Verify(BundleKeys.LoadPublic(k + ".pub"), "hello"u8, signature));
        Assert.False(BundleKeys.Verify(BundleKeys.LoadPublic(k + ".pub"), "hellO"u8, signature));
        Assert.Equal(2, again.Code);
        Assert.Contains("refusing to overwrite", again.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bundle")]
    [InlineData("bundle.zip")]
    public async Task Export_SignedSiteModel_LoadsAndPredictsLikeTheModel(string name)
    {
        var folder = ModelFolder();
        var key = Path.Combine(_dir, "k");
        await Run("keygen", "--out", key);
        var output = Path.Combine(_dir, name);

        var (code, stdout, err) = await Run("export", "--bundle", folder, "--out", output, "--sign", key + ".key");

        Assert.True(code == 0, err);
        Assert.Contains("signed", stdout, StringComparison.Ordinal);
        var loaded = BundleLoader.Load(output, BundleKeys.LoadPublic(key + ".pub"));
        Assert.True(loaded.Signed);
        Assert.StartsWith("test-site-", loaded.ModelId, StringComparison.Ordinal);
        Assert.Equal(["chain.onnx", "chain.weights.json", "factors/inverter.onnx", "factors/module.onnx", "factors/shading.onnx", "site.json"],
            loaded.Manifest.Files.Select(f => f.Path));
        var x = TestBundle.RandomFeatures(50, 2);
        var (a, b) = (new float[3][], new float[3][]);
        for (var i = 0; i < 3; i++)
        {
            a[i] = new float[50];
            b[i] = new float[50];
        }
        new EngineChainPredictor(loaded).Predict(x, a[0], a[1], a[2]);
        new EngineChainPredictor(TestBundle.RandomModel(9), 5000, 4200).Predict(x, b[0], b[1], b[2]);
        Assert.Equal(b[2], a[2]);
    }

    [Fact]
    public async Task Export_SiteModelWithItsFoundation_BundleCarriesTheFleetMeanFoundation()
    {
        var folder = ModelFolder();
        var fleet = TestBundle.RandomModel(11);
        fleet = new Shared.Learning.Chain.ChainModel(fleet.Nets, new Shared.Learning.Chain.SiteParameters(3, fleet.Nets.Config.LatentSize));
        for (var i = 0; i < fleet.Sites.Gain.Length; i++)
        {
            fleet.Sites.Gain.Data[i] = 0.8f + (0.1f * i);
        }
        ChainBundle.SaveFoundation(folder, fleet, DateTimeOffset.UnixEpoch, "test");
        var output = Path.Combine(_dir, "b");

        var (code, _, err) = await Run("export", "--bundle", folder, "--out", output);

        Assert.True(code == 0, err);
        var loaded = BundleLoader.Load(output, null);
        Assert.True(loaded.HasFoundation);
        Assert.Contains(loaded.Manifest.Files, f => f.Path == BundleFormat.FoundationWeights);
        var carried = loaded.CreateFoundationModel()!;
        Assert.Equal(fleet.Nets.Parameters.SelectMany(t => t.Data), carried.Nets.Parameters.SelectMany(t => t.Data));
        Assert.Equal(0.9f, carried.Sites.Gain.Data[0], 1e-6f);
        // the site model itself is unchanged by it
        Assert.Equal(TestBundle.RandomModel(9).Parameters.SelectMany(t => t.Data), loaded.CreateChainModel().Parameters.SelectMany(t => t.Data));
    }

    [Fact]
    public async Task Export_FoundationModel_RefusedNamingModelJson()
    {
        var folder = ModelFolder(sites: 3);

        var (code, _, err) = await Run("export", "--bundle", folder, "--out", Path.Combine(_dir, "b"));

        Assert.Equal(2, code);
        Assert.Contains("model.json", err, StringComparison.Ordinal);
        Assert.Contains("fine-tuned site model", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Distill_ShortBudget_WritesFormulasThatExportCarries()
    {
        var folder = ModelFolder();

        var (code, stdout, err) = await Run("distill", "--bundle", folder, "--seconds", "1", "--samples", "200", "--threads", "1");
        var export = await Run("export", "--bundle", folder, "--out", Path.Combine(_dir, "b"));

        Assert.True(code == 0, err);
        Assert.Contains("module", stdout, StringComparison.Ordinal);
        var formulas = BundleLoader.ParseFormulas(File.ReadAllBytes(Path.Combine(folder, BundleFormat.Formulas)), "formulas.json");
        Assert.Equal(["shading", "module", "inverter"], formulas.Factors.Select(f => f.Factor));
        Assert.All(formulas.Factors, f =>
        {
            Assert.Equal(f.R2VsNet >= 0.995, f.Kept);
            Assert.Equal(FormulaParser.Parse(f.Infix), ExprJson.ToExpr(f.Tree, "t"));
        });
        Assert.NotNull(formulas.Factors.Single(f => f.Factor == "module").R2VsTruth);
        Assert.Null(formulas.Factors.Single(f => f.Factor == "shading").R2VsTruth);
        Assert.True(File.Exists(Path.Combine(folder, "report", "distillation.json")));
        Assert.Equal(0, export.Code);
        var loaded = BundleLoader.Load(Path.Combine(_dir, "b"), null);
        Assert.All(loaded.Manifest.Factors, f => Assert.Equal(formulas.Factors.Single(x => x.Factor == f.Name).Kept, f.Formula is not null));
        Assert.Contains(loaded.Manifest.Files, f => f.Path == "report/distillation.json");
    }

    [Fact]
    public void PhysicsCheck_TrueFormulas_ReadBackTheSiteGammaAndEfficiency()
    {
        // the PVWatts module with SAPM cell temperature and the PVWatts inverter, written as formulas over the factor inputs:
        // the read-back must give the site file's γ and a zero efficiency error (this checks the method, not a net)
        var site = SiteLoader.Parse(TestBundle.SiteJson, "site.json");
        var gamma = site.Planes[0].GammaPdcPerC;
        var loss = 1 - (site.LossesPct / 100);
        var tc = "(temp_air_c + poa_wm2 * exp(-3.56 - 0.075 * wind_speed_ms) + poa_wm2 / 1000 * 3)";
        var module = FormulaParser.Parse(FormattableString.Invariant($"poa_wm2 / 1000 * (1 + {gamma} * ({tc} - 25)) * {loss}"));
        var pdc0 = site.Inverter.Pdc0W / site.Inverter.AcCapacityW;
        var z = FormattableString.Invariant($"(dc_load / {pdc0})");
        var inverter = FormulaParser.Parse(FormattableString.Invariant(
            $"min(dc_load * {site.Inverter.EtaNominal} / 0.9637 * (-0.0162 * {z} - 0.0059 / {z} + 0.9858), 1)"));
        var distiller = new FactorDistiller(TestBundle.RandomModel(1), site, new DistillOptions());

        var check = distiller.Check(module, inverter);

        Assert.Equal(gamma, check.GammaTrue, 12);
        Assert.InRange(check.GammaErrorFormula!.Value, 0, 1e-6);
        Assert.InRange(check.InverterMaxErrorFormula!.Value, 0, 1e-9);
        Assert.True(check.InverterMaxErrorNet > 1e-6, "a random net is not the truth");
    }
}
