using PvEdge.ModelExport.Evaluation;
using PvEdge.ModelExport.Simulation;
using PvEdge.Shared.Features;
using PvEdge.Shared.Physics;
using PvEdge.Shared.Sites;
using PvEdge.Shared.Weather;

namespace PvEdge.ModelExport.Tests.Evaluation;

public sealed class InformationBoundTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bound-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly Obstacle Building = new("building", 180, 10, 20, 0, 0);

    [Fact]
    public void TopInterval_PositionOnTheSoftenedEdge_PinsTheTop()
    {
        var (lo, hi) = InformationBound.TopInterval(Building, [170, 180.5], [5, 20.1]);

        Assert.Equal((20.0, 20.0), (lo, hi));
    }

    [Fact]
    public void TopInterval_EveryPositionCovered_TopLiesBetweenTheHighestAndThePriorsTop()
    {
        // 200° is outside the building's width and tells nothing
        var (lo, hi) = InformationBound.TopInterval(Building, [178, 185, 200], [5, 12, 50]);

        Assert.Equal(12 + ShadingScene.EdgeHalfWidthDeg, lo, 9);
        Assert.Equal(ShadingScene.TopElevationPriorDeg("building").Hi, hi, 9);
    }

    [Fact]
    public void TopInterval_TreeCrown_PositionsScaleByTheEllipse()
    {
        var tree = new Obstacle("tree", 180, 20, 30, 0.2, 0.5);

        // at 10° off centre the crown is √0.75 of its top high: the sun at 30° there is clear of it, so the top is below (30 − ¼°)/√0.75
        var (lo, hi) = InformationBound.TopInterval(tree, [190, 180], [30, 10]);

        Assert.Equal(ShadingScene.TopElevationPriorDeg("tree").Lo, lo, 9);
        Assert.Equal((30 - ShadingScene.EdgeHalfWidthDeg) / Math.Sqrt(0.75), hi, 6);
    }

    private (Site Site, WeatherSeries Weather, FleetSite Fleet, double[] TruthAcW) FleetSiteWithWeather()
    {
        var manifest = new FleetGenerator(new FleetOptions(2, 5, 3)).Write(_dir);
        var fs = manifest.Sites[0];
        var site = SiteLoader.Load(Path.Combine(_dir, fs.SiteFile));
        var weather = ChainFeatureSpecification.Build(site, History.Read(Path.Combine(_dir, fs.HistoryFile))).Weather!;
        var truth = History.Read(Path.Combine(_dir, fs.TruthFile), requireAc: true).Column("ac_power_w")!;
        return (site, weather, fs, truth);
    }

    [Fact]
    public void TruePower_OnTheHistorysWeather_ReproducesTheTruthFile()
    {
        var (site, weather, fs, truth) = FleetSiteWithWeather();
        var physics = new PvSystemModel(ChainFeatureSpecification.Unshaded(site));

        var ac = FleetGenerator.TruePower(site, physics.Run(weather), weather, fs.SoilingFraction, fs.Scene).AcW;

        Assert.Equal(truth.Length, ac.Length);
        Assert.True(truth.Max() > 500, "the fleet's first days should produce power");
        for (var i = 0; i < ac.Length; i++)
        {
            Assert.Equal(truth[i], ac[i], 0.01);
        }
    }

    [Fact]
    public void PosteriorMeanAcW_TestWindowIsTheTrainingWindow_EqualsTheTruthButNotWhenNothingWasSeen()
    {
        var (site, weather, fs, _) = FleetSiteWithWeather();
        // a wall across the south at 25°: the winter sun stays inside it, so its top is never seen
        var scene = fs.Scene with { Obstacles = [new Obstacle("building", 180, 60, 24, 0, 0)] };
        var physics = new PvSystemModel(ChainFeatureSpecification.Unshaded(site));
        var truth = FleetGenerator.TruePower(site, physics.Run(weather), weather, fs.SoilingFraction, scene).AcW;
        var night = new WeatherSeries(weather.Metadata, Enumerable.Range(0, 4).Select(i => weather[i]).ToArray());

        var seen = InformationBound.PosteriorMeanAcW(site, scene, fs.SoilingFraction, weather, weather, 16, 1);
        var unseen = InformationBound.PosteriorMeanAcW(site, scene, fs.SoilingFraction, night, weather, 16, 1);

        for (var i = 0; i < truth.Length; i++)
        {
            Assert.Equal(truth[i], seen[i], 1e-6 * Math.Max(1, truth[i]));
        }
        // unseen, the top may lie anywhere in the prior (8–25°): the posterior mean lets some beam through where the truth has none
        Assert.True(unseen.Sum() > truth.Sum() * 1.01, $"posterior mean {unseen.Sum():F0} W vs truth {truth.Sum():F0} W summed over the rows");
    }
}
