using PvEdge.Shared.Physics;

namespace PvEdge.Shared.Tests.Physics;

public sealed class ComponentModelTests
{
    [Theory]
    [InlineData(100, 70)]
    [InlineData(450, 40)]
    [InlineData(900, 25)]
    public void Erbs_DaytimeGhi_KeepsClosureGhiEqualsDhiPlusBeam(double ghi, double zenith)
    {
        var e0 = Atmosphere.ExtraterrestrialSpencerWm2(172);

        var sky = Decomposition.Erbs(ghi, zenith, e0);

        Assert.Equal(ghi, sky.DhiWm2 + sky.DniWm2 * Math.Cos(zenith * Math.PI / 180), 9);
        Assert.True(sky.DniWm2 >= 0 && sky.DhiWm2 > 0);
    }

    [Fact]
    public void Erbs_VeryClearSky_UsesTheConstantDiffuseFraction()
    {
        var e0 = Atmosphere.ExtraterrestrialSpencerWm2(172);
        var ghi = 0.9 * e0 * Math.Cos(20 * Math.PI / 180);

        var sky = Decomposition.Erbs(ghi, 20, e0);

        Assert.Equal(0.165 * ghi, sky.DhiWm2, 9);
    }

    [Fact]
    public void Erbs_SunNearHorizon_PutsEverythingIntoDiffuse()
    {
        var sky = Decomposition.Erbs(20, 88, 1360);

        Assert.Equal(0, sky.DniWm2);
        Assert.Equal(20, sky.DhiWm2);
    }

    [Theory]
    [InlineData(0, 1.0)]
    [InlineData(60, 0.95)]
    [InlineData(90, 0.0)]
    [InlineData(120, 0.0)]
    public void Ashrae_KnownAngles_FollowsOneMinusB0TimesSecantMinusOne(double aoi, double expected) =>
        Assert.Equal(expected, Iam.Ashrae(aoi), 12);

    [Fact]
    public void Physical_FromNormalToGrazing_DecreasesFromOneToZero()
    {
        Assert.Equal(1.0, Iam.Physical(0), 12);
        var previous = 1.0;
        for (var aoi = 5.0; aoi < 90; aoi += 5)
        {
            var iam = Iam.Physical(aoi);
            Assert.True(iam < previous && iam > 0, $"aoi {aoi}: {iam}");
            previous = iam;
        }
        Assert.Equal(0.0, Iam.Physical(90), 12);
        Assert.Equal(0.0, Iam.Physical(135), 12);
    }

    [Fact]
    public void PvWattsLosses_Defaults_ArePvlibsFourteenPointZeroSevenFivePercent() =>
        Assert.Equal(100 * (1 - 0.98 * 0.97 * 0.98 * 0.98 * 0.995 * 0.985 * 0.99 * 0.97), PvWatts.DefaultLossesPct, 12);

    [Fact]
    public void Inverter_DcAboveRating_ClipsAtNominalEfficiencyTimesPdc0AndReportsTheClippedPart()
    {
        const double pdc0 = 5000;

        var output = PvWatts.Inverter(2 * pdc0, pdc0, 0.96);

        Assert.Equal(0.96 * pdc0, output.AcPowerW, 9);
        var unclipped = 0.96 / 0.9637 * (-0.0162 * 2 - 0.0059 / 2 + 0.9858) * 2 * pdc0;
        Assert.Equal(unclipped - 0.96 * pdc0, output.ClippedPowerW, 9);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-50)]
    [InlineData(10)]
    public void Inverter_NoOrTinyDc_NeverGoesNegative(double dc)
    {
        var output = PvWatts.Inverter(dc, 5000);

        Assert.Equal(0, output.AcPowerW);
        Assert.Equal(0, output.ClippedPowerW);
    }

    [Fact]
    public void DcPower_AtStc_IsTheRating() => Assert.Equal(4000, PvWatts.DcPowerW(1000, 25, 4000, -0.004), 9);

    [Fact]
    public void SapmAndFaiman_NoIrradiance_GiveAirTemperature()
    {
        Assert.Equal(12.5, CellTemperature.SapmC(0, 12.5, 3, -3.56, -0.075, 3), 12);
        Assert.Equal(12.5, CellTemperature.FaimanC(0, 12.5, 3), 12);
    }

    [Fact]
    public void Sapm_MoreWind_CoolsTheCell() =>
        Assert.True(CellTemperature.SapmC(800, 25, 5, -3.56, -0.075, 3) < CellTemperature.SapmC(800, 25, 1, -3.56, -0.075, 3));

    [Fact]
    public void Transposition_HorizontalPlane_SeesGhiWithEveryModel()
    {
        var sky = new HorizontalIrradiance(600, 700, 150);
        var cosZ = Math.Cos(40 * Math.PI / 180);
        sky = sky with { GhiWm2 = sky.DhiWm2 + sky.DniWm2 * cosZ };
        foreach (var model in Enum.GetValues<TranspositionModel>())
        {
            var poa = Transposition.Poa(model, 0, 180, 40, 150, sky, 1360, Atmosphere.RelativeAirMassKastenYoung(40), 0.2);

            Assert.Equal(0, poa.GroundDiffuseWm2, 9);
            Assert.Equal(sky.GhiWm2, poa.GlobalWm2, model == TranspositionModel.Perez ? 0 : 9);
        }
    }

    [Fact]
    public void Transposition_VerticalPlane_GetsHalfTheAlbedoReflection() =>
        Assert.Equal(500 * 0.2 * 0.5, Transposition.GroundDiffuseWm2(90, 500, 0.2), 9);

    [Fact]
    public void KastenYoung_SunBelowHorizon_IsNaNAndAtZenithAboutOne()
    {
        Assert.True(double.IsNaN(Atmosphere.RelativeAirMassKastenYoung(91)));
        Assert.Equal(1.0, Atmosphere.RelativeAirMassKastenYoung(0), 3);
    }

    [Fact]
    public void PressureFromAltitude_SeaLevelAndGreensboro_FollowTheStandardAtmosphere()
    {
        Assert.InRange(Atmosphere.PressureFromAltitudePa(0), 101320, 101330);
        Assert.InRange(Atmosphere.PressureFromAltitudePa(273), 97000, 98500);
    }

    [Fact]
    public void Haurwitz_SunDown_IsZero() => Assert.Equal(0, ClearSky.HaurwitzGhiWm2(95));

    [Fact]
    public void Ineichen_NightAirMass_GivesZeros() => Assert.Equal(default, ClearSky.Ineichen(100, double.NaN, 3, 0, 1360));
}

public sealed class HorizonProfileTests
{
    [Fact]
    public void ElevationDeg_BetweenPointsAcrossNorth_InterpolatesWithWrapAround()
    {
        var horizon = new HorizonProfile([new HorizonPoint(350, 10), new HorizonPoint(10, 30), new HorizonPoint(180, 0)]);

        Assert.Equal(20, horizon.ElevationDeg(0), 9);
        Assert.Equal(15, horizon.ElevationDeg(355), 9);
        Assert.Equal(25, horizon.ElevationDeg(5), 9);
        Assert.Equal(15, horizon.ElevationDeg(95), 9);
    }

    [Fact]
    public void BlocksBeam_SunBelowProfile_IsTrueOnlyThere()
    {
        var horizon = new HorizonProfile([new HorizonPoint(240, 25)]);

        Assert.True(horizon.BlocksBeam(100, 20));
        Assert.False(horizon.BlocksBeam(100, 30));
        Assert.False(HorizonProfile.Flat.BlocksBeam(100, 1));
    }
}
