namespace PvEdge.EdgeAgent.Acquisition.SunSpec;

/// <summary>Operating state of a SunSpec inverter (models 101–103 and 111–113, point St). The numeric values are the
/// SunSpec enumeration and are what the <c>inverter_state</c> history column holds.</summary>
public enum SunSpecInverterState
{
    Off = 1,
    Sleeping = 2,
    Starting = 3,
    Mppt = 4,
    Throttled = 5,
    ShuttingDown = 6,
    Fault = 7,
    Standby = 8,
}

public static class SunSpecInverterStates
{
    /// <summary>"MPPT", "THROTTLED", ... as SunSpec writes them, or "UNKNOWN(n)".</summary>
    public static string Label(int code) => code switch
    {
        1 => "OFF",
        2 => "SLEEPING",
        3 => "STARTING",
        4 => "MPPT",
        5 => "THROTTLED",
        6 => "SHUTTING_DOWN",
        7 => "FAULT",
        8 => "STANDBY",
        _ => $"UNKNOWN({code})",
    };
}
