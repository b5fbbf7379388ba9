using PvEdge.EdgeAgent.Acquisition.SunSpec;

namespace PvEdge.EdgeAgent.Tests.Acquisition.SunSpec;

public class SunSpecModelCatalogTests
{
    [Fact]
    public void Default_EmbeddedCatalog_DefinesEveryModelTheIssueNames()
    {
        var ids = SunSpecModelCatalog.Default.ModelIds.ToList();
        Assert.Equal(new[] { 1, 101, 102, 103, 111, 112, 113, 120, 160, 302, 303, 307, 308 }, ids);
        Assert.Equal(50, SunSpecModelCatalog.Default[103].FixedLength);
        Assert.Equal(SunSpecModelCatalog.Default[101].Points, SunSpecModelCatalog.Default[103].Points);
        Assert.Equal(20, SunSpecModelCatalog.Default[160].RepeatingLength);
    }

    [Fact]
    public void Parse_PointOutsideModel_FailsNamingModelAndPoint()
    {
        const string json = """{ "models": [ { "id": 9, "name": "x", "length": 2, "points": [ { "name": "W", "offset": 2, "type": "int16" } ] } ] }""";
        var ex = Assert.Throws<FormatException>(() => SunSpecModelCatalog.Parse(json, "m.json"));
        Assert.Contains("point W", ex.Message, StringComparison.Ordinal);
        Assert.Contains("id 9", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownScaleFactorPoint_Fails()
    {
        const string json = """{ "models": [ { "id": 9, "name": "x", "length": 2, "points": [ { "name": "W", "offset": 0, "type": "int16", "sf": "W_SF" } ] } ] }""";
        Assert.Contains("W_SF", Assert.Throws<FormatException>(() => SunSpecModelCatalog.Parse(json, "m.json")).Message, StringComparison.Ordinal);
    }
}
