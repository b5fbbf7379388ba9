using PvEdge.Shared.Features;

namespace PvEdge.Shared.Tests.Features;

public sealed class AcLimitTests
{
    private static readonly TimeSpan Quarter = TimeSpan.FromMinutes(15);

    [Fact]
    public void Detect_ExportLimitAtTwoThirdsOfTheRating_FindsItsLevel()
    {
        var finding = AcLimit.Detect(SyntheticHistory.Site, SyntheticHistory.Make(9, Quarter, acCapW: 3000));

        Assert.NotNull(finding);
        Assert.Equal(3000, finding.LimitW, 1);
        Assert.True(finding.RowsAboveAtLimit >= AcLimit.MinimumShareAbove * finding.RowsAbove);
    }

    [Theory]
    [InlineData(double.PositiveInfinity)]
    [InlineData(4400)] // clipping near the 4500 W rating is the inverter's own
    public void Detect_NoCapBelowTheRating_FindsNone(double capW)
    {
        Assert.Null(AcLimit.Detect(SyntheticHistory.Site, SyntheticHistory.Make(9, Quarter, acCapW: capW)));
    }

    [Fact]
    public void Detect_CloudyDaysUnderTheLevel_AreNotACap()
    {
        // a dull fortnight: the AC never rises far, but it does not sit flat where the weather would give more
        Assert.Null(AcLimit.Detect(SyntheticHistory.Site, SyntheticHistory.Make(14, Quarter, cloudScale: 0.5)));
    }
}
