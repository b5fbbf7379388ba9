using Microsoft.Extensions.Logging;

namespace PvEdge.EdgeAgent.Models;

/// <summary>Log lines of the model store (event ids 810–819, in the 8xx models range of the agent's log).</summary>
internal static partial class ModelLog
{
    [LoggerMessage(810, LogLevel.Information, "model store {Root}: watching {Drop} every {PollS} s; {Trust}")]
    public static partial void Watching(ILogger logger, string root, string drop, double pollS, string trust);

    [LoggerMessage(811, LogLevel.Information, "model at start: {Message}")]
    public static partial void StartChoice(ILogger logger, string message);

    [LoggerMessage(812, LogLevel.Warning, "model at start: {Message}")]
    public static partial void StartFallback(ILogger logger, string message);

    [LoggerMessage(813, LogLevel.Information, "model bundle {Bundle} installed as {Version}: model {Model} replaces {Previous} ({Validation}); on probation for {Intervals} daylight 15-minute intervals")]
    public static partial void Installed(ILogger logger, string bundle, string version, string model, string previous, string validation, int intervals);

    [LoggerMessage(814, LogLevel.Warning, "model bundle {Bundle} refused: {Reason}; moved to {Target}; model {Model} stays in use")]
    public static partial void Refused(ILogger logger, string bundle, string reason, string target, string model);

    [LoggerMessage(815, LogLevel.Warning, "model {Model} rolled back to {Previous}: {Reason}")]
    public static partial void RolledBack(ILogger logger, string model, string previous, string reason);

    [LoggerMessage(816, LogLevel.Information, "model {Model} confirmed after probation: {Reason}")]
    public static partial void Confirmed(ILogger logger, string model, string reason);

    [LoggerMessage(817, LogLevel.Information, "model bundle {Bundle} is the model already in use ({Model}); removed from the drop folder")]
    public static partial void AlreadyInUse(ILogger logger, string bundle, string model);

    [LoggerMessage(818, LogLevel.Error, "model store: {Reason}; will retry")]
    public static partial void StoreFailed(ILogger logger, string reason);

    [LoggerMessage(819, LogLevel.Information, "model store: {Count} unfinished staging folder(s) from an interrupted install removed")]
    public static partial void StagingRemoved(ILogger logger, int count);

    [LoggerMessage(820, LogLevel.Information, "model re-tuned on the site's last {Days} days: {Model} replaces {Previous} ({Reason}; {Validation})")]
    public static partial void Retuned(ILogger logger, int days, string model, string previous, string reason, string validation);

    [LoggerMessage(821, LogLevel.Information, "model not re-tuned: {Reason}; {Model} stays in use")]
    public static partial void NotRetuned(ILogger logger, string reason, string model);

    [LoggerMessage(822, LogLevel.Error, "model re-tuning failed: {Reason}; {Model} stays in use, next try tomorrow night")]
    public static partial void RetuneFailed(ILogger logger, string reason, string model);

    [LoggerMessage(823, LogLevel.Warning, "{Finding} The re-tuned model, its forecasts and the anomaly checks' expected power stop at it while the history shows it (found again every night); if the inverter itself is rated so, set inverter.ac_kw {AcKw} in the site file (Gateway:SiteFile) and restart")]
    public static partial void AcLimitSeen(ILogger logger, string finding, string acKw);
}
