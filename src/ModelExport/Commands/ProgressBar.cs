namespace PvEdge.ModelExport.Commands;

/// <summary>A one-line text progress bar on the error stream (redrawn with a carriage return, at most every whole percent).</summary>
internal sealed class ProgressBar(TextWriter writer, string label) : IProgress<double>, IDisposable
{
    private readonly Lock _gate = new();
    private int _lastPercent = -1;

    public void Report(double value)
    {
        var percent = (int)Math.Clamp(value * 100, 0, 100);
        lock (_gate)
        {
            if (percent == _lastPercent)
            {
                return;
            }
            _lastPercent = percent;
            var filled = percent / 4;
            writer.Write($"\r{label} [{new string('#', filled)}{new string('.', 25 - filled)}] {percent,3}%");
            writer.Flush();
        }
    }

    public void Dispose()
    {
        if (_lastPercent >= 0)
        {
            writer.WriteLine();
        }
    }
}
