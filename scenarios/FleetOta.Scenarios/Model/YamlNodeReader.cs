using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace FleetOta.Scenarios.Model;

/// <summary>Reads typed values from a YAML mapping, collecting a <see cref="ValidationProblem"/> for every invalid or
/// unknown key instead of stopping at the first. Each reader knows the keys it allows, so an unknown key gets the
/// closest allowed one as a suggestion.</summary>
internal sealed partial class YamlNodeReader
{
    private readonly YamlMappingNode _node;
    private readonly string _path;
    private readonly ProblemList _problems;
    private readonly HashSet<string> _allowed;

    public YamlNodeReader(YamlMappingNode node, string path, ProblemList problems, params string[] allowed)
    {
        _node = node;
        _path = path;
        _problems = problems;
        _allowed = new HashSet<string>(allowed, StringComparer.Ordinal);
        CheckKeys();
    }

    public YamlMappingNode Node => _node;

    public string Path => _path;

    public ProblemList Problems => _problems;

    public string Key(string key) => _path.Length == 0 ? key : $"{_path}.{key}";

    public YamlNode? Find(string key)
    {
        foreach (var (k, v) in _node.Children)
        {
            if (k is YamlScalarNode { Value: { } name } && name == key)
            {
                return v;
            }
        }

        return null;
    }

    public bool Has(string key) => Find(key) is not null;

    public string? String(string key, string? fallback = null)
    {
        var node = Find(key);
        if (node is null)
        {
            return fallback;
        }

        if (node is YamlScalarNode scalar)
        {
            return scalar.Value ?? fallback;
        }

        _problems.Add(node, Key(key), null, "must be a single value, not a list or a mapping.");
        return fallback;
    }

    public string RequiredString(string key, string what)
    {
        var value = String(key);
        if (string.IsNullOrWhiteSpace(value))
        {
            _problems.Add(_node, Key(key), null, $"is missing; give {what}.");
            return "";
        }

        return value;
    }

    public long Integer(string key, long fallback, long min = long.MinValue, long max = long.MaxValue)
    {
        var text = String(key);
        if (text is null)
        {
            return fallback;
        }

        var digits = text.Replace("_", "", StringComparison.Ordinal);
        if (!long.TryParse(digits, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            // Digits that do not fit in a long are a whole number out of range, so the message gives the range.
            var message = WholeNumberPattern().IsMatch(digits) ? $"must be between {min} and {max}." : "must be a whole number.";
            _problems.Add(Find(key)!, Key(key), text, message);
            return fallback;
        }

        if (value < min || value > max)
        {
            _problems.Add(Find(key)!, Key(key), text, $"must be between {min} and {max}.");
            return fallback;
        }

        return value;
    }

    /// <summary>Reads a share: a number from 0 to 1 or a percentage such as "5%".</summary>
    public double Share(string key, double fallback)
    {
        var text = String(key);
        if (text is null)
        {
            return fallback;
        }

        if (!Units.TryParseShare(text, out var share))
        {
            _problems.Add(Find(key)!, Key(key), text, "must be a share from 0 to 1 (such as 0.05) or a percentage (such as 5%).");
            return fallback;
        }

        return share;
    }

    public double Number(string key, double fallback, double min = double.MinValue)
    {
        var text = String(key);
        if (text is null)
        {
            return fallback;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min)
        {
            _problems.Add(Find(key)!, Key(key), text, $"must be a number of at least {min.ToString(CultureInfo.InvariantCulture)}.");
            return fallback;
        }

        return value;
    }

    /// <summary>Reads a duration of 0 or more, such as "48h", "30m", "90s" or "500ms".</summary>
    public long DurationMs(string key, long fallback)
    {
        var text = String(key);
        if (text is null)
        {
            return fallback;
        }

        if (!Units.TryParseDuration(text, out var ms))
        {
            var message = IsNegativeDuration(text)
                ? "must be a duration of 0 or more (such as 30m)."
                : "must be a duration with a unit: ms, s, m, h or d (such as 30m or 48h).";
            _problems.Add(Find(key)!, Key(key), text, message);
            return fallback;
        }

        return ms;
    }

    /// <summary>Reads a duration that must be above 0, such as a window or an interval.</summary>
    public long PositiveDurationMs(string key, long fallback)
    {
        var text = String(key);
        if (text is null)
        {
            return fallback;
        }

        var valid = Units.TryParseDuration(text, out var ms);
        if (!valid && !IsNegativeDuration(text))
        {
            _problems.Add(Find(key)!, Key(key), text, "must be a duration with a unit: ms, s, m, h or d (such as 30m or 48h).");
            return fallback;
        }

        if (!valid || ms <= 0)
        {
            _problems.Add(Find(key)!, Key(key), text, "must be a duration above 0 (such as 30m).");
            return fallback;
        }

        return ms;
    }

    /// <summary>Reads a size in bytes such as "64MiB", "1GB" or "4096".</summary>
    public long Bytes(string key, long fallback)
    {
        var text = String(key);
        if (text is null)
        {
            return fallback;
        }

        if (!Units.TryParseBytes(text, out var bytes))
        {
            // TryParseBytes rejects a size that rounds to 0 bytes, so a size in the right form failed for being too small.
            var message = IsSizeOfAnyValue(text)
                ? "must be a size above 0 (such as 64MiB)."
                : "must be a size such as 64MiB, 1GB, 500KB or a number of bytes.";
            _problems.Add(Find(key)!, Key(key), text, message);
            return fallback;
        }

        return bytes;
    }

    private static bool IsNegativeDuration(string text) => AfterMinus(text) is { } rest && Units.TryParseDuration(rest, out _);

    private static bool IsSizeOfAnyValue(string text) => Units.IsSize(text) || (AfterMinus(text) is { } rest && Units.IsSize(rest));

    /// <summary>Returns the text after a leading minus sign, or null when it has none.</summary>
    private static string? AfterMinus(string text)
    {
        var trimmed = text.TrimStart();
        return trimmed.StartsWith('-') ? trimmed[1..] : null;
    }

    [GeneratedRegex(@"^\s*[+-]?\d+\s*$")]
    private static partial Regex WholeNumberPattern();

    public bool Boolean(string key, bool fallback)
    {
        var text = String(key);
        if (text is null)
        {
            return fallback;
        }

        if (!bool.TryParse(text, out var value))
        {
            _problems.Add(Find(key)!, Key(key), text, "must be true or false.");
            return fallback;
        }

        return value;
    }

    public T Choice<T>(string key, T fallback, IReadOnlyDictionary<string, T> choices)
    {
        var text = String(key);
        if (text is null)
        {
            return fallback;
        }

        if (choices.TryGetValue(text, out var value))
        {
            return value;
        }

        var suggestion = Suggestions.Closest(text, choices.Keys);
        _problems.Add(Find(key)!, Key(key), text,
            $"is not one of: {string.Join(", ", choices.Keys)}." + (suggestion is null ? "" : $" Did you mean '{suggestion}'?"));
        return fallback;
    }

    public YamlNodeReader? Mapping(string key, params string[] allowed)
    {
        var node = Find(key);
        if (node is null)
        {
            return null;
        }

        if (node is not YamlMappingNode mapping)
        {
            _problems.Add(node, Key(key), null, "must be a mapping of keys to values.");
            return null;
        }

        return new YamlNodeReader(mapping, Key(key), _problems, allowed);
    }

    public YamlSequenceNode? Sequence(string key)
    {
        var node = Find(key);
        if (node is null)
        {
            return null;
        }

        if (node is not YamlSequenceNode sequence)
        {
            _problems.Add(node, Key(key), null, "must be a list.");
            return null;
        }

        return sequence;
    }

    private void CheckKeys()
    {
        foreach (var (k, _) in _node.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? "";
            if (_allowed.Contains(name))
            {
                continue;
            }

            var suggestion = Suggestions.Closest(name, _allowed);
            var hint = suggestion is null ? "" : $" Did you mean '{suggestion}'?";
            _problems.Add(k, Key(name), null, $"is not a known key. Allowed here: {string.Join(", ", _allowed.Order(StringComparer.Ordinal))}.{hint}");
        }
    }
}

/// <summary>The problems found in one file.</summary>
internal sealed class ProblemList(string file)
{
    public List<ValidationProblem> Items { get; } = [];

    public string File => file;

    public void Add(YamlNode node, string key, string? value, string message) => Add(node.Start, key, value, message);

    public void Add(Mark position, string key, string? value, string message) =>
        Items.Add(new ValidationProblem(file, (int)position.Line, (int)position.Column, key, value, message));
}

/// <summary>Parsers for the units that scenario files use.</summary>
public static partial class Units
{
    [GeneratedRegex(@"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$")]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|KiB|MiB|GiB)?\s*$")]
    private static partial Regex BytesPattern();

    public static bool TryParseDuration(string text, out long milliseconds)
    {
        milliseconds = 0;
        var match = DurationPattern().Match(text);
        if (!match.Success)
        {
            return false;
        }

        var amount = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var unit = match.Groups[2].Value switch
        {
            "ms" => 1.0,
            "s" => 1_000.0,
            "m" => 60_000.0,
            "h" => 3_600_000.0,
            _ => 86_400_000.0,
        };
        milliseconds = (long)Math.Round(amount * unit);
        return true;
    }

    /// <summary>Returns whether the text has the form of a size, whatever its value, so "0" and "0.1" are sizes.</summary>
    public static bool IsSize(string text) => BytesPattern().IsMatch(text);

    public static bool TryParseBytes(string text, out long bytes)
    {
        bytes = 0;
        var match = BytesPattern().Match(text);
        if (!match.Success)
        {
            return false;
        }

        var amount = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var unit = match.Groups[2].Value switch
        {
            "KB" => 1e3,
            "MB" => 1e6,
            "GB" => 1e9,
            "KiB" => 1024.0,
            "MiB" => 1024.0 * 1024,
            "GiB" => 1024.0 * 1024 * 1024,
            _ => 1.0,
        };
        bytes = (long)Math.Round(amount * unit);
        return bytes > 0;
    }

    public static bool TryParseShare(string text, out double share)
    {
        text = text.Trim();
        var percent = text.EndsWith('%');
        if (percent)
        {
            text = text[..^1];
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out share))
        {
            return false;
        }

        if (percent)
        {
            share /= 100;
        }

        return share is >= 0 and <= 1;
    }

    public static string FormatDuration(long ms) => ms switch
    {
        _ when ms % 86_400_000 == 0 && ms > 0 => $"{ms / 86_400_000}d",
        _ when ms % 3_600_000 == 0 && ms > 0 => $"{ms / 3_600_000}h",
        _ when ms % 60_000 == 0 && ms > 0 => $"{ms / 60_000}m",
        _ when ms % 1_000 == 0 => $"{ms / 1_000}s",
        _ => $"{ms}ms",
    };
}

/// <summary>Finds the closest allowed word for a misspelt one (Levenshtein distance, at most a third of its length).</summary>
public static class Suggestions
{
    public static string? Closest(string word, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates.Order(StringComparer.Ordinal))
        {
            var distance = Distance(word.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        return best is not null && bestDistance <= Math.Max(2, word.Length / 3) ? best : null;
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
