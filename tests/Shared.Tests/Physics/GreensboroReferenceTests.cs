using PvEdge.Shared.Physics;
using PvEdge.Shared.Weather;
using PvEdge.TestSupport;

namespace PvEdge.Shared.Tests.Physics;

/// <summary>Every quantity of pvlib's greensboro_hourly.csv over all 8760 rows, with the tolerances of issue 2.</summary>
public sealed class GreensboroReferenceTests
{
    private static readonly Lazy<WeatherSeries> Weather = new(() => WeatherReader.Load(RepoPaths.Shared("data/weather/723170TYA.CSV")));

    private static PvlibReference Ref => PvlibReference.Greensboro;

    private static readonly Observer Greensboro = new(36.1, -79.95, 273);

    private static SolarPosition[] Sun()
    {
        var r = Ref;
        var result = new SolarPosition[r.Count];
        var unix = r.TimeMid.Select(Spa.UnixSeconds).ToArray();
        Spa.Compute(unix, Greensboro, r["pressure"], r["temp_air"], result);
        return result;
    }

    [SkippableFact]
    public void Tmy3Reader_Greensboro_GivesTheReferenceInputsAndMidpoints()
    {
        var w = Weather.Value;
        var r = Ref;
        Assert.Equal(r.Count, w.Count);
        for (var i = 0; i < r.Count; i++)
        {
            Assert.Equal(r.TimeMid[i], w.TimeMid[i]);
            Assert.Equal(r.TimeMid[i].Offset, w.TimeMid[i].Offset);
        }
        Tolerance.WithinAbsolute("ghi", r["ghi"], i => w.GhiWm2[i], 0);
        Tolerance.WithinAbsolute("dni", r["dni"], i => w.DniWm2[i], 0);
        Tolerance.WithinAbsolute("dhi", r["dhi"], i => w.DhiWm2[i], 0);
        Tolerance.WithinAbsolute("temp_air", r["temp_air"], i => w.TempAirC[i], 0);
        Tolerance.WithinAbsolute("wind_speed", r["wind_speed"], i => w.WindSpeedMs[i], 0);
        Tolerance.WithinAbsolute("pressure", r["pressure"], i => w.PressurePa[i], 1e-9);
    }

    [SkippableFact]
    public void SpaCompute_GreensboroYear_MatchesPvlibWithinAThousandthDegree()
    {
        var sun = Sun();
        Tolerance.WithinAbsolute("zenith", Ref["zenith"], i => sun[i].ZenithDeg, 0.001);
        Tolerance.WithinAbsolute("apparent_zenith", Ref["apparent_zenith"], i => sun[i].ApparentZenithDeg, 0.001);
        Tolerance.WithinAbsolute("azimuth", Ref["azimuth"], i => sun[i].AzimuthDeg, 0.001);
        Tolerance.WithinAbsolute("equation_of_time", Ref["equation_of_time"], i => sun[i].EquationOfTimeMin, 1e-5);
    }

    [SkippableFact]
    public void ExtraterrestrialAndAirMass_GreensboroYear_MatchPvlibWithin1e6Relative()
    {
        var sun = Sun();
        var r = Ref;
        Tolerance.WithinRelative("dni_extra", r["dni_extra"], i => Atmosphere.ExtraterrestrialSpencerWm2(r.TimeMid[i]), 1e-6);
        Tolerance.WithinRelative("airmass_rel", r["airmass_rel"], i => Atmosphere.RelativeAirMassKastenYoung(sun[i].ApparentZenithDeg), 1e-6);
        Tolerance.WithinRelative("airmass_abs", r["airmass_abs"],
            i => Atmosphere.AbsoluteAirMass(Atmosphere.RelativeAirMassKastenYoung(sun[i].ApparentZenithDeg), r["pressure"][i]), 1e-6);
    }

    [SkippableFact]
    public void ClearSky_GreensboroYear_MatchesPvlibWithinATenthWm2()
    {
        var sun = Sun();
        var r = Ref;
        var cs = Enumerable.Range(0, r.Count).Select(i =>
        {
            var am = Atmosphere.AbsoluteAirMass(Atmosphere.RelativeAirMassKastenYoung(sun[i].ApparentZenithDeg), r["pressure"][i]);
            return ClearSky.Ineichen(sun[i].ApparentZenithDeg, am, r["linke_turbidity"][i], 273, Atmosphere.ExtraterrestrialSpencerWm2(r.TimeMid[i]));
        }).ToArray();
        Tolerance.WithinAbsolute("cs_ineichen_ghi", r["cs_ineichen_ghi"], i => cs[i].GhiWm2, 0.1);
        Tolerance.WithinAbsolute("cs_ineichen_dni", r["cs_ineichen_dni"], i => cs[i].DniWm2, 0.1);
        Tolerance.WithinAbsolute("cs_ineichen_dhi", r["cs_ineichen_dhi"], i => cs[i].DhiWm2, 0.1);
        Tolerance.WithinAbsolute("cs_haurwitz_ghi", r["cs_haurwitz_ghi"], i => ClearSky.HaurwitzGhiWm2(sun[i].ApparentZenithDeg), 0.1);
        // The Ineichen sky through Perez onto the 30° south plane: POA within 0.05 W/m², as for the measured sky.
        Tolerance.WithinAbsolute("poa_cs_perez_global", r["poa_cs_perez_global"], i => Transposition.Poa(TranspositionModel.Perez, 30, 180,
            sun[i].ApparentZenithDeg, sun[i].AzimuthDeg, cs[i],
            Atmosphere.ExtraterrestrialSpencerWm2(r.TimeMid[i]), Atmosphere.RelativeAirMassKastenYoung(sun[i].ApparentZenithDeg), 0.2).GlobalWm2, 0.05);
    }

    [SkippableFact]
    public void AoiAndPhysicalIam_GreensboroYear_MatchPvlib()
    {
        var sun = Sun();
        var aoi = sun.Select(s => Transposition.AoiDeg(30, 180, s.ApparentZenithDeg, s.AzimuthDeg)).ToArray();
        Tolerance.WithinAbsolute("aoi", Ref["aoi"], i => aoi[i], 0.001);
        Tolerance.WithinAbsolute("iam_physical", Ref["iam_physical"], i => Iam.Physical(aoi[i]), 1e-6);
    }

    [SkippableTheory]
    [InlineData(TranspositionModel.Perez, "perez")]
    [InlineData(TranspositionModel.HayDavies, "hay")]
    public void PvSystemModelRun_GreensboroYear_MatchesPvlibChainInEveryColumn(TranspositionModel model, string tag)
    {
        var r = Ref;
        var chain = new PvSystemModel(PvlibReference.Site(model));
        var result = chain.Run(Weather.Value);
        PlaneStep P(int i) => result.Plane(i, 0);
        Tolerance.WithinAbsolute($"poa_{tag}_global", r[$"poa_{tag}_global"], i => P(i).Poa.GlobalWm2, 0.05);
        Tolerance.WithinAbsolute($"poa_{tag}_direct", r[$"poa_{tag}_direct"], i => P(i).Poa.DirectWm2, 0.05);
        Tolerance.WithinAbsolute($"poa_{tag}_sky_diffuse", r[$"poa_{tag}_sky_diffuse"], i => P(i).Poa.SkyDiffuseWm2, 0.05);
        Tolerance.WithinAbsolute($"poa_{tag}_ground_diffuse", r[$"poa_{tag}_ground_diffuse"], i => P(i).Poa.GroundDiffuseWm2, 0.05);
        Tolerance.WithinAbsolute($"eff_irr_{tag}", r[$"eff_irr_{tag}"], i => P(i).EffectiveIrradianceWm2, 0.05);
        Tolerance.WithinAbsolute($"tcell_sapm_{tag}", r[$"tcell_sapm_{tag}"], i => P(i).CellTemperatureC, 0.01);
        Tolerance.WithinAbsolute($"tcell_faiman_{tag}", r[$"tcell_faiman_{tag}"],
            i => CellTemperature.FaimanC(P(i).Poa.GlobalWm2, r["temp_air"][i], r["wind_speed"][i]), 0.01);
        Tolerance.WithinAbsolute($"pdc_{tag}", r[$"pdc_{tag}"], i => P(i).DcPowerBeforeLossesW, 0.01);
        Tolerance.WithinAbsolute($"pdc_net_{tag}", r[$"pdc_net_{tag}"], i => P(i).DcPowerW, 0.01);
        Tolerance.WithinAbsolute($"pac_{tag}", r[$"pac_{tag}"], i => result.Steps[i].AcPowerW, 0.01);
        Tolerance.WithinAbsolute($"zenith ({tag} chain)", r["zenith"], i => result.Steps[i].Sun.ZenithDeg, 0.001);
        Tolerance.WithinAbsolute($"dni_extra ({tag} chain)", r["dni_extra"], i => result.Steps[i].DniExtraWm2, 1e-6 * 1414);
    }

    [SkippableTheory]
    [InlineData(TranspositionModel.Perez, "perez")]
    [InlineData(TranspositionModel.HayDavies, "hay")]
    public void PvSystemModelRun_FaimanSite_MatchesPvlibFaimanDcPower(TranspositionModel model, string tag)
    {
        var r = Ref;
        var result = new PvSystemModel(PvlibReference.Site(model, CellTemperatureModel.FaimanDefault)).Run(Weather.Value);
        Tolerance.WithinAbsolute($"tcell_faiman_{tag}", r[$"tcell_faiman_{tag}"], i => result.Plane(i, 0).CellTemperatureC, 0.01);
        Tolerance.WithinAbsolute($"pdc_faiman_{tag}", r[$"pdc_faiman_{tag}"], i => result.Plane(i, 0).DcPowerBeforeLossesW, 0.01);
    }

    [SkippableFact]
    public void PerezSkyDiffuse_DaytimeRowsWithoutDiffuse_IsZeroWherePvlibGivesNaN()
    {
        var r = Ref;
        var result = new PvSystemModel(PvlibReference.Site(TranspositionModel.Perez)).Run(Weather.Value);
        var nanRows = Enumerable.Range(0, r.Count).Where(i => double.IsNaN(r["poa_perez_sky_diffuse"][i])).ToArray();
        Assert.NotEmpty(nanRows);
        foreach (var i in nanRows)
        {
            Assert.Equal(0.0, r["dhi"][i]);
            Assert.Equal(0.0, result.Plane(i, 0).Poa.SkyDiffuseWm2);
            Assert.Equal(r["poa_hay_global"][i], result.Plane(i, 0).Poa.GlobalWm2, 6);
        }
    }
}
