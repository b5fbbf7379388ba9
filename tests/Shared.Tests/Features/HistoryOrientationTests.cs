using PvEdge.Shared.Features;
using PvEdge.Shared.Sites;

namespace PvEdge.Shared.Tests.Features;

public sealed class HistoryOrientationTests
{
    private static readonly TimeSpan Quarter = TimeSpan.FromMinutes(15);

    private static Site Facing(double tiltDeg, double azimuthDeg) =>
        SyntheticHistory.Site with { Planes = [SyntheticHistory.Site.Planes[0] with { TiltDeg = tiltDeg, AzimuthDeg = azimuthDeg }] };

    [Fact]
    public void Check_TheSiteFileThatMadeIt_FindsNothing()
    {
        Assert.Null(HistoryOrientation.Check(Facing(30, 120), SyntheticHistory.Make(12, Quarter, site: Facing(30, 120))));
    }

    [Fact]
    public void Check_SouthWrittenAsZero_FindsSouthAndNamesTheConvention()
    {
        var finding = HistoryOrientation.Check(Facing(50, 0), SyntheticHistory.Make(12, Quarter, site: Facing(50, 180)));

        Assert.NotNull(finding);
        Assert.InRange(finding.AzimuthDeg, 165, 195);
        Assert.InRange(finding.TiltDeg, 40, 60);
        Assert.Contains("Azimuth is clockwise from north, 180 = south", finding.Describe("h.csv"), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_EastAndWestSwapped_FindsEastAndSaysSo()
    {
        var finding = HistoryOrientation.Check(Facing(30, 240), SyntheticHistory.Make(12, Quarter, site: Facing(30, 120)));

        Assert.NotNull(finding);
        Assert.InRange(finding.AzimuthDeg, 105, 135);
        Assert.StartsWith("warning: h.csv: ac_power_w's", finding.Describe("h.csv"), StringComparison.Ordinal);
        Assert.Contains("East and west swapped?", finding.Describe("h.csv"), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_TwoPlanes_IsNotJudged()
    {
        var twoPlanes = SyntheticHistory.Site with { Planes = [.. SyntheticHistory.Site.Planes, SyntheticHistory.Site.Planes[0] with { Name = "q", AzimuthDeg = 0 }] };

        Assert.Null(HistoryOrientation.Check(twoPlanes, SyntheticHistory.Make(12, Quarter)));
    }
}
