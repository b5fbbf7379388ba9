using PvEdge.Shared.Learning;

namespace PvEdge.ModelExport.Simulation;

/// <summary>A stochastic clear-sky index: each day draws a regime (clear, mixed, overcast) from a Markov chain, and within
/// the day the index follows an AR(1) process around the regime's mean (15-min lag-1 autocorrelation 0.8–0.95, as
/// measured in mid-latitude climates). GHI = index × clear-sky GHI.</summary>
public sealed class CloudProcess
{
    private readonly SeededRandom _rng;
    private readonly double _clearProbability;
    private int _regime;
    private double _state;

    /// <param name="clearProbability">the climate's share of clear days (0.2 maritime … 0.7 desert)</param>
    public CloudProcess(SeededRandom rng, double clearProbability)
    {
        _rng = rng ?? throw new ArgumentNullException(nameof(rng));
        _clearProbability = clearProbability;
        NewDay();
    }

    public int Regime => _regime;

    /// <summary>Starts a new day: the regime persists with probability 0.6, else is drawn from the climate.</summary>
    public void NewDay()
    {
        if (_rng.NextDouble() > 0.6 || _state == 0)
        {
            var u = _rng.NextDouble();
            _regime = u < _clearProbability ? 0 : u < _clearProbability + (1 - _clearProbability) * 0.6 ? 1 : 2;
        }
        _state = 0;
    }

    /// <summary>The next 15-minute clear-sky index (0.05 … 1.25).</summary>
    public double Next()
    {
        var (mean, phi, sd) = _regime switch
        {
            0 => (0.98, 0.9, 0.02),
            1 => (0.65, 0.8, 0.22),
            _ => (0.3, 0.92, 0.08),
        };
        _state = phi * _state + Math.Sqrt(1 - phi * phi) * sd * _rng.NextGaussian();
        var k = mean + _state;
        // cloud-edge enhancement in mixed skies
        if (_regime == 1 && _rng.NextDouble() < 0.03)
        {
            k += 0.2;
        }
        return Math.Clamp(k, 0.05, 1.25);
    }
}
