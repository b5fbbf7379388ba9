using PvEdge.Shared.Features;
using PvEdge.Shared.Learning;
using PvEdge.Shared.Learning.Chain;

namespace PvEdge.Shared.Tests.Features;

public sealed class SunPathBandTests
{
    // rows 15 minutes apart at the given sun positions (azimuth, elevation)
    private static ChainFeatureSet Rows(params (double Az, double El)[] sun)
    {
        var n = sun.Length;
        var times = Enumerable.Range(0, n).Select(k => new DateTimeOffset(2025, 10, 1, 8, 0, 0, TimeSpan.Zero).AddMinutes(15 * k)).ToArray();
        return new ChainFeatureSet(new Tensor(n, ChainColumns.Count), new Tensor(n, ChainColumns.LabelCount), times,
            [.. sun.Select(s => s.Az)], [.. sun.Select(s => s.El)], 5000, 6000);
    }

    [Fact]
    public void Sweep_TwoDaysPaths_LowestAndHighestPerBinAlongTheSegments()
    {
        // one path from (150°, 30°) to (154°, 34°), another 2° lower: 1° bins between hold both, interpolated
        var data = Rows((150, 30), (154, 34), (150, 28), (154, 32));

        var band = SunPathBand.Sweep(data, _ => true, 1);

        var (low, high) = band.At(152);
        Assert.Equal(30, low, 9);
        Assert.Equal(32, high, 9);
        Assert.Equal((28.0, 30.0), band.At(150));
        Assert.True(double.IsNaN(band.At(149).Low) && double.IsNaN(band.At(155).High), "outside the paths nothing was seen");
    }

    [Fact]
    public void Sweep_RowsNotChosen_BreakTheSegment()
    {
        // the middle row left out: the two outer rows are not joined, each marks its own bin only
        var data = Rows((150, 30), (152, 32), (154, 34));

        var band = SunPathBand.Sweep(data, r => r != 1, 1);

        Assert.Equal((30.0, 30.0), band.At(150));
        Assert.Equal((34.0, 34.0), band.At(154));
        Assert.True(double.IsNaN(band.At(152).Low));
        Assert.Equal(band.Bin(150.4), band.Bin(149.6));
        Assert.Equal(0, band.Bin(359.7));
        // segments only: the lone rows mark nothing
        Assert.True(double.IsNaN(SunPathBand.Sweep(data, r => r != 1, 1, rowBins: false).At(150).Low));
    }
}
