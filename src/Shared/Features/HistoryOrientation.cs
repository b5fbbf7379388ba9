using System.Globalization;
using PvEdge.Shared.Physics;
using PvEdge.Shared.Sites;

namespace PvEdge.Shared.Features;

/// <summary>A plane orientation that the AC's clear days fit much better than the site file's.</summary>
public sealed record OrientationFinding(double TiltDeg, double AzimuthDeg, double FileTiltDeg, double FileAzimuthDeg, double Error, double FileError, int ClearDays)
{
    /// <summary>One line for the user, naming the likely mistake.</summary>
    public string Describe(string source)
    {
        var turned = Math.Abs(Math.IEEERemainder(AzimuthDeg - FileAzimuthDeg, 360));
        var hint = Math.Abs(turned - 180) <= 30 ? " Azimuth is clockwise from north, 180 = south (in PVGIS 0 is south)."
            : Math.Abs(Math.IEEERemainder(AzimuthDeg + FileAzimuthDeg, 360)) <= 30 ? " East and west swapped? (90 = east, 270 = west)"
            : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"warning: {source}: ac_power_w's {ClearDays} clear days fit a plane of tilt {TiltDeg:F0}°, azimuth {AzimuthDeg:F0}° (error {Error:P1} of the day's peak) ") +
            string.Create(CultureInfo.InvariantCulture, $"far better than the site file's tilt {FileTiltDeg:F0}°, azimuth {FileAzimuthDeg:F0}° ({FileError:P1}).{hint} Used with the site file as it is.");
    }
}

/// <summary>Checks a one-plane site file's orientation against the AC of the history's clear days (days whose GHI follows the
/// clear-sky model closely): the AC is fitted (with a scale per day) to the clear-sky AC of planes every 10° of tilt and 15° of
/// azimuth, and when one fits far better than the site file's, the file is likely wrong (azimuth in another convention, east
/// and west swapped). Shade, clipping and the afternoon's heat also make a correct file fit clear days less well than some other
/// plane: on the 77 one-plane sites of <c>fleet --sites 100 --seed 2</c> with their true orientation, the file's error reached
/// 26 % of the day's peak (five windows of 14 and 28 days), so only a file that fits far worse is named: none of them was. With
/// the azimuth mirrored (east for west) the check named 38 of the 77 files (28 days; 29–41 in 14-day windows; the others face near
/// south, where a mirror changes little), with the PVGIS convention (0 = south) 35 (28–42), with the tilt set to 0 8 (4–12).
/// <c>bench/HistoryChecks/run.sh</c> measures these.</summary>
public static class HistoryOrientation
{
    /// <summary>The site file's fit must be worse than this (mean over the clear days of the RMS error over the day's peak) and than
    /// <see cref="Ratio"/> times the best's, and the best must differ from it by at least <see cref="MinimumAzimuthDeg"/> of azimuth
    /// on a tilted plane or <see cref="MinimumTiltDeg"/> of tilt.</summary>
    public const double PoorFit = 0.3;

    public const double Ratio = 3;

    public const double MinimumAzimuthDeg = 45;

    public const double MinimumTiltDeg = 25;

    /// <summary>The better orientation, or null (a site of several planes, fewer than <see cref="HistoryTiming.MinimumDays"/> clear
    /// days, or the site file fits).</summary>
    public static OrientationFinding? Check(Site site, History history) => Check(new ClearSkyReference(site, history));

    /// <inheritdoc cref="Check(Site, History)"/>
    public static OrientationFinding? Check(ClearSkyReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var (site, history, half) = (reference.Site, reference.History, reference.Half);
        var ac = history.Column("ac_power_w");
        var ghi = history.Column("ghi_wm2");
        if (site.Planes.Count != 1 || ac is null || ghi is null || history.Rows < 4)
        {
            return null;
        }
        var unshaded = ChainFeatureSpecification.Unshaded(site);
        var acUsable = HistoryTiming.UnclippedAc(site, history);
        var days = HistoryTiming.DaylightDays(history, half, site.LongitudeDeg, i => reference.AtRow(i).GhiWm2)
            .Where(day => HistoryTiming.FitError(day, i => ghi[i], i => reference.AtRow(i).GhiWm2) < HistoryTiming.ClearDayError)
            .Select(day => day.Where(acUsable).ToArray())
            .Where(day => day.Length >= 4)
            .ToArray();
        if (days.Length < HistoryTiming.MinimumDays)
        {
            return null;
        }
        var rows = days.SelectMany(d => d).ToArray();
        double Error(double tiltDeg, double azimuthDeg)
        {
            var plane = unshaded.Planes[0] with { TiltDeg = tiltDeg, AzimuthDeg = azimuthDeg };
            var model = new PvSystemModel(unshaded with { Planes = [plane] });
            var planes = new PlaneStep[1];
            var reference = new Dictionary<int, double>(rows.Length);
            foreach (var i in rows)
            {
                reference[i] = model.Simulate(model.ClearSkySample(history.Times[i] + half), planes).AcPowerW;
            }
            return days.Average(day => Math.Min(1, HistoryTiming.FitError(day, i => ac[i], i => reference[i])));
        }
        var file = site.Planes[0];
        var fileError = Error(file.TiltDeg, file.AzimuthDeg);
        if (fileError < PoorFit)
        {
            return null;
        }
        var (bestError, bestTilt, bestAzimuth) = (fileError, file.TiltDeg, file.AzimuthDeg);
        for (var tilt = 0; tilt <= 60; tilt += 10)
        {
            for (var azimuth = 0; azimuth < 360; azimuth += tilt == 0 ? 360 : 15)
            {
                var e = Error(tilt, azimuth);
                if (e < bestError)
                {
                    (bestError, bestTilt, bestAzimuth) = (e, tilt, azimuth);
                }
            }
        }
        var turned = Math.Abs(Math.IEEERemainder(bestAzimuth - file.AzimuthDeg, 360));
        var different = (turned >= MinimumAzimuthDeg && Math.Max(bestTilt, file.TiltDeg) >= 15) || Math.Abs(bestTilt - file.TiltDeg) >= MinimumTiltDeg;
        return fileError > Ratio * bestError && different
            ? new OrientationFinding(bestTilt, bestAzimuth, file.TiltDeg, file.AzimuthDeg, bestError, fileError, days.Length)
            : null;
    }
}
