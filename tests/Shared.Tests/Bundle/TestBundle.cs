using System.Text;
using System.Text.Json;
using PvEdge.Shared.Bundle;
using PvEdge.Shared.Formulas;
using PvEdge.Shared.Learning;
using PvEdge.Shared.Learning.Chain;

namespace PvEdge.Shared.Tests.Bundle;

/// <summary>Small bundles for tests: a chain with random weights and random site parameters, a site file, optional
/// hand-written formulas, written with the production builder and writer into a temporary folder.</summary>
internal sealed class TestBundle : IDisposable
{
    public const string SiteJson = """
        { "name": "test-site", "latitude": 36.1, "longitude": -79.95, "altitude_m": 273,
          "planes": [ { "name": "south", "tilt_deg": 30, "azimuth_deg": 180, "dc_kwp": 5.0, "gamma_pdc_per_c": -0.0037 } ],
          "inverter": { "ac_kw": 4.2, "eta_nominal": 0.96 } }
        """;

    /// <summary>Formulas over each factor's inputs: a mild shading field, PVWatts-like module, a flat 96 % inverter.</summary>
    public static readonly IReadOnlyDictionary<string, string> HandFormulas = new Dictionary<string, string>
    {
        ["shading"] = "1 - 0.1 * max(cos_sun_azimuth, 0) * (1 - sun_elevation_deg / 90)",
        ["module"] = "poa_wm2 / 1000 * 0.86 * (1 - 0.004 * (temp_air_c - 25))",
        ["inverter"] = "min(0.96 * dc_load, 1)",
    };

    /// <param name="foundation">also carry a foundation (random networks, one site row) as the exporter does for a fine-tuned model</param>
    public TestBundle(ulong seed = 7, bool sign = true, bool formulas = true, string? zipName = null, bool foundation = false)
    {
        Root = Path.Combine(Path.GetTempPath(), $"pvedge-bundle-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Root);
        Model = RandomModel(seed);
        var weightsPath = Path.Combine(Root, "weights.json");
        WeightsFile.Save(weightsPath, Model.Parameters);
        if (sign)
        {
            var (privatePem, publicPem) = BundleKeys.Generate();
            PrivateKeyPath = Path.Combine(Root, "k.key");
            PublicKeyPath = Path.Combine(Root, "k.pub");
            File.WriteAllBytes(PrivateKeyPath, privatePem);
            File.WriteAllBytes(PublicKeyPath, publicPem);
        }
        FormulasFile? file = null;
        byte[]? fileJson = null;
        if (formulas)
        {
            file = new FormulasFile(FormulasFile.CurrentSchema, [.. ChainFactors.All.Select(f =>
            {
                var e = FormulaParser.Parse(HandFormulas[f.Name], f.VariableNames);
                return new FactorFormula(f.Name, f.VariableNames, f.Output.Name, ExprJson.ToNode(e), e.ToString(), e.Complexity, 0.999, null, true);
            })]);
            fileJson = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(file, BundleFormat.Json));
        }
        var content = new BundleContent(Encoding.UTF8.GetBytes(SiteJson), File.ReadAllBytes(weightsPath), file, fileJson,
            new Dictionary<string, byte[]> { ["notes.txt"] = Encoding.UTF8.GetBytes("test report\n") },
            new BundleTraining("site", DateTimeOffset.UnixEpoch, "random weights", null), null, new ResidualQuantiles(-0.05, 0.04, 100),
            Foundation: foundation ? RandomModel(seed + 1) : null);
        var (manifest, files) = BundleBuilder.Build(Model, content, $"test-{seed}", new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
        BundlePath = Path.Combine(Root, zipName ?? "bundle");
        Manifest = BundleWriter.Write(BundlePath, manifest, files, PrivateKeyPath);
    }

    public string Root { get; }

    /// <summary>The bundle folder (or .zip).</summary>
    public string BundlePath { get; }

    public ChainModel Model { get; }

    public BundleManifest Manifest { get; }

    public string? PrivateKeyPath { get; }

    public string? PublicKeyPath { get; }

    public NSec.Cryptography.PublicKey PublicKey => BundleKeys.LoadPublic(PublicKeyPath!);

    public LoadedBundle Load() => BundleLoader.Load(BundlePath, PublicKeyPath is null ? null : PublicKey);

    /// <summary>A chain with random weights and random (but plausible) site parameters.</summary>
    public static ChainModel RandomModel(ulong seed)
    {
        var rng = new SeededRandom(seed);
        var config = ChainConfig.Default;
        var model = new ChainModel(new ChainNets(config, rng), new SiteParameters(1, config.LatentSize));
        var r = new Random((int)seed);
        for (var i = 0; i < model.Sites.Latent.Length; i++)
        {
            model.Sites.Latent.Data[i] = (float)((r.NextDouble() * 2) - 1);
        }
        model.Sites.SkyViewLogit.Data[0] = 1.5f + (float)r.NextDouble();
        model.Sites.Gain.Data[0] = 0.8f + (0.1f * (float)r.NextDouble());
        model.Sites.Thermal.Data[0] = 0.8f + (0.4f * (float)r.NextDouble());
        return model;
    }

    /// <summary>Random feature rows over the ranges the specification produces (night and day, clipping loads included).</summary>
    public static float[] RandomFeatures(int rows, int seed)
    {
        var r = new Random(seed);
        var x = new float[rows * ChainColumns.Count];
        for (var i = 0; i < rows; i++)
        {
            var row = x.AsSpan(i * ChainColumns.Count, ChainColumns.Count);
            var az = r.NextDouble() * 2 * Math.PI;
            row[ChainColumns.SinAzimuth] = (float)Math.Sin(az);
            row[ChainColumns.CosAzimuth] = (float)Math.Cos(az);
            row[ChainColumns.Elevation] = (float)((r.NextDouble() * 1.1) - 0.1);
            row[ChainColumns.Beam] = (float)(r.NextDouble() * 1.0);
            row[ChainColumns.SkyDiffuse] = (float)(r.NextDouble() * 0.4);
            row[ChainColumns.Ground] = (float)(r.NextDouble() * 0.05);
            row[ChainColumns.TempAir] = (float)((r.NextDouble() * 2.5) - 1.5);
            row[ChainColumns.Wind] = (float)(r.NextDouble() * 1.5);
            row[ChainColumns.DcAcRatio] = (float)(0.8 + (r.NextDouble() * 0.8));
            row[ChainColumns.Site] = 0;
        }
        return x;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a temp folder left behind is harmless
        }
    }
}
