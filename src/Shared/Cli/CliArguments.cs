using System.Globalization;

namespace PvEdge.Shared.Cli;

/// <summary>Command-line arguments of one verb: <c>--key value</c> pairs and <c>--flag</c> switches.
/// Every accessor that fails throws <see cref="InputException"/> naming the option, so the tool exits 2 with one line.</summary>
public sealed class CliArguments
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public CliArguments(IEnumerable<string> args)
    {
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            var a = list[i];
            if (!a.StartsWith("--", StringComparison.Ordinal) || a.Length == 2)
            {
                Positional.Add(a);
                continue;
            }
            var eq = a.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                _values[a[2..eq]] = a[(eq + 1)..];
            }
            else if (i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                _values[a[2..]] = list[++i];
            }
            else
            {
                _values[a[2..]] = null;
            }
        }
    }

    /// <summary>Arguments that are not options.</summary>
    public List<string> Positional { get; } = [];

    public bool Has(string name)
    {
        _used.Add(name);
        return _values.ContainsKey(name);
    }

    /// <summary>A switch such as <c>--summary</c>.</summary>
    public bool Flag(string name) => Has(name);

    public string Required(string name)
    {
        _used.Add(name);
        if (!_values.TryGetValue(name, out var v) || string.IsNullOrEmpty(v))
        {
            throw new InputException($"option --{name}: a value is required");
        }
        return v;
    }

    public string? Optional(string name)
    {
        _used.Add(name);
        return _values.TryGetValue(name, out var v) ? v : null;
    }

    public string Optional(string name, string fallback) => Optional(name) ?? fallback;

    public double Double(string name, double fallback, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        var s = Optional(name);
        if (s is null)
        {
            return fallback;
        }
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
        {
            throw new InputException($"option --{name}: expected a number in [{min.ToString(CultureInfo.InvariantCulture)}, {max.ToString(CultureInfo.InvariantCulture)}], got '{s}'");
        }
        return v;
    }

    public int Int(string name, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        var s = Optional(name);
        if (s is null)
        {
            return fallback;
        }
        if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
        {
            throw new InputException($"option --{name}: expected an integer in [{min}, {max}], got '{s}'");
        }
        return v;
    }

    /// <summary>Throws if an option was given that the command never asked about.</summary>
    public void RejectUnknown()
    {
        var unknown = _values.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new InputException($"unknown option --{unknown[0]}");
        }
    }
}
