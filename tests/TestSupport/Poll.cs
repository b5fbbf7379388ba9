namespace PvEdge.TestSupport;

/// <summary>Waiting for something another thread or process does.</summary>
public static class Poll
{
    /// <summary>Checks <paramref name="condition"/> every <paramref name="intervalMs"/> ms until it holds or
    /// <paramref name="timeout"/> has passed; returns whether it holds at the end.</summary>
    public static async Task<bool> UntilAsync(Func<bool> condition, TimeSpan timeout, int intervalMs = 50)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (!condition() && sw.Elapsed < timeout)
        {
            await Task.Delay(intervalMs).ConfigureAwait(false);
        }
        return condition();
    }
}
