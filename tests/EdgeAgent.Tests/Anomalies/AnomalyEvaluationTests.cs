using PvEdge.EdgeAgent.Anomalies;
using PvEdge.EdgeAgent.Demo;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.InverterSimulator.Faults;

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

    /// <summary>A day and a half of simulated time (10:00 UTC to 22:00 UTC the next day) through the SunSpec simulator on Modbus TCP, read
    /// every simulated minute, the schedule read from a file: an outage at 14:00 and an inverter fault at 17:00 UTC on day 1 (10:00 and
    /// 13:00 local), a string loss and a communication stall on day 2 (45 minutes each: a stalled simulator costs real seconds).</summary>
    [Fact]
    public async Task RunModbusAsync_ScheduleFileWithFourFaults_EachDetectedWithItsTypeWithinHalfAnHourNoFalseEvent()
    {
        var midnight = new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
        Fault At(FaultKind kind, int day, int hour) => new(kind, midnight.AddDays(day).AddHours(hour), midnight.AddDays(day).AddHours(hour + 0.75));
        var file = Path.Combine(Path.GetTempPath(), $"edgeagent-faults-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, new FaultSchedule([At(FaultKind.Outage, 0, 14), At(FaultKind.InverterFault, 0, 17), At(FaultKind.Mppt2Outage, 1, 14), At(FaultKind.CommStall, 1, 17)]).ToJson());
        try
        {
            var site = InverterSimulator.Plant.PlantFactory.DemoSite();
            var result = await AnomalyEvaluation.RunModbusAsync(DefaultSiteModels.ForSite(site), site, midnight.AddHours(10), 1.5, FaultSchedule.Load(file), 11, new AnomalyOptions(),
                TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(500), CancellationToken.None);
            Assert.Equal(["outage", "inverter_fault", "string_loss", "communication_lost"], result.Faults.Select(f => f.Fault.Type));
            Assert.All(result.Faults, f =>
            {
                Assert.True(f.Detected is not null, $"{f.Fault.Type} missed");
                Assert.Equal(AnomalyEvaluation.ExpectedType(f.Fault.Type), f.Detected!.Type);
                Assert.True(f.Delay <= TimeSpan.FromMinutes(30), $"{f.Fault.Type} after {f.Delay}");
            });
            Assert.Empty(result.FalseEvents);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
