using System.Globalization;
using System.Text.Json;
using FleetOta.Scenarios.Model;

namespace FleetOta.Scenarios.Replay;

/// <summary>The readers of single fields of a JSON-lines event. Each checks the JSON type of its value, reports a
/// wrong value with the field name, the value and what is allowed, and then returns null.</summary>
public static partial class JsonLinesReplaySource
{
    /// <summary>Latest time a line may give: 366 days. The replay ticks the controller once a minute up to the last
    /// time, so a mistyped time would otherwise make it run for a very long time.</summary>
    private const long MaxTimeMs = 366L * 86_400_000;

    /// <summary>Largest fleet a start line may give, the same limit as for the fleet of a scenario file.</summary>
    private const int MaxDevices = 10_000_000;

    /// <summary>Longest value that a problem message quotes; longer values are cut.</summary>
    private const int MaxQuotedLength = 40;

    private static long? Time(JsonElement line, ParseState state)
    {
        var hasMs = line.TryGetProperty("t_ms", out var ms);
        var hasTime = line.TryGetProperty("time", out var time);
        if (hasMs && hasTime)
        {
            state.Problem($"has both t_ms {Quote(ms)} and time {Quote(time)}. Keep one of them: t_ms (whole milliseconds) or time (a duration such as \"90m\").");
            return null;
        }

        if (hasMs)
        {
            if (TryGetWholeNumber(ms, out var value) && value is >= 0 and <= MaxTimeMs)
            {
                return value;
            }

            state.Problem($"t_ms {Quote(ms)} must be a whole number of milliseconds from 0 to {MaxTimeMs} (366 days).{NumberHint(ms)}");
            return null;
        }

        if (hasTime)
        {
            if (time.ValueKind == JsonValueKind.String && Units.TryParseDuration(time.GetString()!, out var parsed) && parsed is >= 0 and <= MaxTimeMs)
            {
                return parsed;
            }

            var hint = time.ValueKind == JsonValueKind.Number ? " For a number of milliseconds, give t_ms instead." : "";
            state.Problem($"time {Quote(time)} must be a duration with a unit: ms, s, m, h or d (such as \"90m\"), at most 366d.{hint}");
            return null;
        }

        state.Problem("has no time; give t_ms (milliseconds since the recording started) or time (such as \"90m\").");
        return null;
    }

    private static string? Text(JsonElement line, string key, ParseState state, bool required = true)
    {
        if (!line.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                state.Problem($"has no {key}.");
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            var example = value.ValueKind == JsonValueKind.Number ? $", such as \"{value.GetRawText()}\"" : "";
            state.Problem($"{key} {Quote(value)} must be a string{example}.");
            return null;
        }

        return value.GetString();
    }

    /// <summary>Reads a whole number from <paramref name="minimum"/> to <paramref name="maximum"/>. A null value counts
    /// as missing when the field is optional, and as a wrong value when it is required.</summary>
    private static long? Integer(
        JsonElement line, string key, ParseState state, bool required, long minimum = long.MinValue, long maximum = long.MaxValue)
    {
        if (!line.TryGetProperty(key, out var value) || (value.ValueKind == JsonValueKind.Null && !required))
        {
            if (required)
            {
                state.Problem($"has no {key}.");
            }

            return null;
        }

        if (TryGetWholeNumber(value, out var number) && number >= minimum && number <= maximum)
        {
            return number;
        }

        var range = (minimum, maximum) switch
        {
            (long.MinValue, long.MaxValue) => "a whole number",
            (_, long.MaxValue) => $"a whole number, {minimum} or more",
            _ => $"a whole number from {minimum} to {maximum}",
        };
        state.Problem($"{key} {Quote(value)} must be {range}.{NumberHint(value)}");
        return null;
    }

    private static bool Flag(JsonElement line, string key, bool fallback, ParseState state)
    {
        if (!line.TryGetProperty(key, out var value))
        {
            return fallback;
        }

        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        state.Problem($"{key} {Quote(value)} must be true or false, without quotes.");
        return fallback;
    }

    /// <summary>Reads the device number of a line. Before a valid start line the fleet size is unknown, so the line is
    /// only counted, and <see cref="Parse"/> reports the missing or invalid start line once for all of them.</summary>
    private static int? Device(JsonElement line, ParseState state)
    {
        if (!line.TryGetProperty("device", out var value))
        {
            state.Problem("has no device.");
            return null;
        }

        if (state.Start is null)
        {
            state.LinesWithoutStart++;
            state.FirstLineWithoutStart ??= state.Line;
            return null;
        }

        if (!TryGetWholeNumber(value, out var device))
        {
            state.Problem($"device {Quote(value)} must be a whole number from 0 to {state.Devices - 1}.{NumberHint(value)}");
            return null;
        }

        if (device < 0 || device >= state.Devices)
        {
            state.Problem($"device {device} is outside the fleet: device numbers run from 0 to {state.Devices - 1}.");
            return null;
        }

        return (int)device;
    }

    private static int? OptionalDevice(JsonElement line, ParseState state) =>
        line.TryGetProperty("device", out var value) && value.ValueKind != JsonValueKind.Null ? Device(line, state) : null;

    /// <summary>Reads the optional list of targeted devices of a start line. Without one, every device is targeted.</summary>
    private static List<int>? Targets(JsonElement line, ParseState state)
    {
        if (!line.TryGetProperty("targets", out var list))
        {
            return Enumerable.Range(0, state.Devices).ToList();
        }

        var allowed = $"device numbers from 0 to {state.Devices - 1}";
        if (list.ValueKind != JsonValueKind.Array)
        {
            state.Problem($"targets {Quote(list)} must be a list of {allowed}, such as [0, 1, 2].");
            return null;
        }

        var targets = new List<int>();
        var seen = new HashSet<long>();
        foreach (var item in list.EnumerateArray())
        {
            if (!TryGetWholeNumber(item, out var device) || device < 0 || device >= state.Devices)
            {
                state.Problem($"targets item {Quote(item)} is invalid: targets must be {allowed}.{NumberHint(item)}");
                return null;
            }

            if (!seen.Add(device))
            {
                state.Problem($"targets lists device {device} twice; list each device once.");
                return null;
            }

            targets.Add((int)device);
        }

        return targets;
    }

    private static T? Choice<T>(JsonElement line, string key, IReadOnlyDictionary<string, T> choices, ParseState state)
        where T : struct
    {
        var text = Text(line, key, state);
        if (text is null)
        {
            return null;
        }

        if (choices.TryGetValue(text, out var value))
        {
            return value;
        }

        state.Problem($"{key} '{text}' is not one of: {string.Join(", ", choices.Keys)}.");
        return null;
    }

    /// <summary>Reads a JSON number without a fraction. Unlike <see cref="JsonElement.TryGetInt64"/>, returns false for
    /// a value of another JSON type instead of throwing <see cref="InvalidOperationException"/>.</summary>
    private static bool TryGetWholeNumber(JsonElement value, out long number)
    {
        number = 0;
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out number);
    }

    /// <summary>Returns a hint for a number written as a JSON string, such as "1000", or an empty string.</summary>
    private static string NumberHint(JsonElement value) =>
        value.ValueKind == JsonValueKind.String && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out _)
            ? " Write the number without quotes."
            : "";

    /// <summary>Returns the JSON text of a value for a problem message, cut to <see cref="MaxQuotedLength"/> characters.</summary>
    private static string Quote(JsonElement value)
    {
        var text = value.GetRawText();
        return text.Length <= MaxQuotedLength ? text : text[..MaxQuotedLength] + "...";
    }
}
