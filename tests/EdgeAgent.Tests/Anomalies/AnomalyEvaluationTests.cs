using PvEdge.EdgeAgent.Anomalies;
using PvEdge.EdgeAgent.Demo;
using PvEdge.EdgeAgent.Hosting;

namespace PvEdge.EdgeAgent.Tests.Anomalies;

public sealed class AnomalyEvaluationTests
{
    [Fact]
    public void Run_OneFaultOfEachKind_EachDetectedWithItsTypeWithinHalfAnHour()
    {
        var start = new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
        string[] kinds = ["outage", "inverter_fault", "string_loss", "communication_lost"];
        var faults = kinds.Select((k, i) => new SimulatedFault(start.AddDays(i).AddHours(16), start.AddDays(i).AddHours(17.5), k)).ToList();
        var result = AnomalyEvaluation.Run(TestSite.Models, start, 4, faults, 11, new AnomalyOptions());
        Assert.All(result.Faults, f =>
        {
            Assert.True(f.Detected is not null, $"{f.Fault.Type} missed");
            Assert.Equal(AnomalyEvaluation.ExpectedType(f.Fault.Type), f.Detected!.Type);
            Assert.True(f.Delay <= TimeSpan.FromMinutes(30), $"{f.Fault.Type} after {f.Delay}");
        });
        Assert.Empty(result.FalseEvents);
    }
}
