
namespace PvEdge.Shared.Features;

/// <summary>What <c>finetune</c> and <c>evaluate</c> check in a history against its site file before using it: the units
/// (<see cref="HistoryUnits"/>, a refusal), then the timing of its columns (<see cref="HistoryTiming"/>) and the plane's
/// orientation (<see cref="HistoryOrientation"/>), as warnings.</summary>
public static class HistoryChecks
{
    /// <summary>Throws <see cref="Cli.InputException"/> for a column off by a unit's factor; otherwise the warning lines (none when all
    /// is well). A plane turned from the file's and AC stamped late both skew the AC's clear days against the sun: with the GHI on
    /// time, the explanation that fits them better is the one named.</summary>
    public static IReadOnlyList<string> Run(ClearSkyReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var history = reference.History;
        HistoryUnits.Check(reference);
        var timing = HistoryTiming.Check(reference).ToList();
        var orientation = timing.Any(f => f.Column == "ghi_wm2") ? null : HistoryOrientation.Check(reference);
        var acLate = timing.FirstOrDefault(f => f.Column == "ac_power_w" && f.ClearDays > 0);
        if (orientation is not null && acLate is not null)
        {
            if (acLate.FitError <= orientation.Error)
            {
                orientation = null;
            }
            else
            {
                timing.Remove(acLate);
            }
        }
        var lines = timing.Select(f => f.Describe(history.Source, history.Step)).ToList();
        if (orientation is not null)
        {
            lines.Add(orientation.Describe(history.Source));
        }
        return lines;
    }
}
