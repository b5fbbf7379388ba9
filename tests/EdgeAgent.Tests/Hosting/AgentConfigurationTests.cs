using PvEdge.EdgeAgent.Hosting;
using PvEdge.Shared.Cli;

namespace PvEdge.EdgeAgent.Tests.Hosting;

public sealed class AgentConfigurationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edgeagent-cfg-").FullName;

    private AgentHostSettings Settings(string json)
    {
        var path = Path.Combine(_dir, "c.json");
        File.WriteAllText(path, json);
        return new AgentHostSettings { ConfigFile = path, AppFolder = _dir, Demo = false };
    }

    [Fact]
    public void Configure_UnknownKey_OneWarningNamingKeyAndKnownKeys()
    {
        var setup = AgentHost.Configure(Settings("""{ "Mqtt": { "Prot": 1883 } }"""));
        var w = Assert.Single(setup.Warnings);
        Assert.Contains("'Mqtt:Prot'", w, StringComparison.Ordinal);
        Assert.Contains("Port", w, StringComparison.Ordinal);
    }

    [Fact]
    public void Configure_UnknownSection_Warning()
    {
        var setup = AgentHost.Configure(Settings("""{ "Mqqt": { "Port": 1883 } }"""));
        Assert.Contains("'Mqqt'", Assert.Single(setup.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void Configure_PortOutOfRange_InputExceptionNamingKey()
    {
        var ex = Assert.Throws<InputException>(() => AgentHost.Configure(Settings("""{ "Mqtt": { "Port": 70000 } }""")));
        Assert.Contains("Mqtt:Port", ex.Message, StringComparison.Ordinal);
        Assert.Contains("70000", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configure_NotANumber_InputExceptionNamingSection()
    {
        var ex = Assert.Throws<InputException>(() => AgentHost.Configure(Settings("""{ "Mqtt": { "Port": "abc" } }""")));
        Assert.Contains("Mqtt", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configure_BrokenJson_InputException()
    {
        Assert.Throws<InputException>(() => AgentHost.Configure(Settings("""{ "Mqtt": { "Port": 1883 """)));
    }

    [Fact]
    public void Configure_EnvironmentVariable_OverridesFile()
    {
        Environment.SetEnvironmentVariable("EDGEAGENT__Gateway__Prefix", "envprefix");
        try
        {
            var setup = AgentHost.Configure(Settings("""{ "Gateway": { "Prefix": "fileprefix" } }"""));
            Assert.Equal("fileprefix", setup.Gateway.Prefix); // --config F is read after the variables
            var noFile = AgentHost.Configure(new AgentHostSettings { AppFolder = _dir, Demo = false });
            Assert.Equal("envprefix", noFile.Gateway.Prefix);
        }
        finally
        {
            Environment.SetEnvironmentVariable("EDGEAGENT__Gateway__Prefix", null);
        }
    }

    [Fact]
    public void ParseFaults_Schedule_RelativeToStart()
    {
        var t0 = new DateTimeOffset(2026, 6, 21, 12, 0, 0, TimeSpan.Zero);
        var faults = AgentHost.ParseFaults("outage@30+20;string_loss@120+60", t0);
        Assert.Equal(2, faults.Count);
        Assert.Equal(t0.AddMinutes(30), faults[0].StartUtc);
        Assert.Equal(t0.AddMinutes(50), faults[0].EndUtc);
        Assert.Equal("string_loss", faults[1].Type);
    }

    public void Dispose()
    {
        Directory.Delete(_dir, true);
    }
}
