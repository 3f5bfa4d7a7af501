using System.Globalization;
using System.Text.Json;
using FleetOta.Journal;
using FleetOta.Protocol;
using FleetOta.Scenarios.Model;
using FleetOta.Server;

namespace FleetOta.Scenarios.Replay;

/// <summary>Reads a JSON-lines file of device events as a replay input. Each line is one JSON object with a time
/// ("t_ms" in milliseconds, or "time" as a duration such as "90m") and a "type". The types are start, connect,
/// disconnect, heartbeat, status, fault, operator, server and end, and the recorded controller decisions offer,
/// pause, resume, abort, alert, recovery and state. docs/scenarios.md describes every field.</summary>
public static class JsonLinesReplaySource
{
    public static readonly IReadOnlyList<string> Types =
    [
        "start", "connect", "disconnect", "heartbeat", "status", "fault", "operator", "server", "end",
        "offer", "pause", "resume", "abort", "alert", "recovery", "state",
    ];

    private static readonly Dictionary<string, OperatorActionKind> OperatorActions = new(StringComparer.Ordinal)
    {
        ["pause"] = OperatorActionKind.Pause,
        ["resume"] = OperatorActionKind.Resume,
        ["abort"] = OperatorActionKind.Abort,
        ["retry-failed"] = OperatorActionKind.RetryFailed,
        ["force-rollback"] = OperatorActionKind.ForceRollback,
        ["redeploy-previous"] = OperatorActionKind.RedeployPrevious,
    };

    public static ReplayInput Read(string path) => Parse(File.ReadAllLines(path), path);

    public static ReplayInput Parse(IReadOnlyList<string> lines, string source)
    {
        var state = new ParseState(source);
        for (var i = 0; i < lines.Count; i++)
        {
            var text = lines[i].Trim();
            if (text.Length == 0 || text.StartsWith('#'))
            {
                continue;
            }

            state.Line = i + 1;
            try
            {
                using var document = JsonDocument.Parse(text);
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    state.Problem("must be one JSON object, such as {\"t_ms\": 0, \"type\": \"connect\", \"device\": 7, \"version\": \"1.4.2\"}.");
                    continue;
                }

                ReadLine(document.RootElement, state);
            }
            catch (JsonException error)
            {
                state.Problem($"is not valid JSON: {error.Message}");
            }
        }

        if (state.Start is null && state.Problems.Count == 0)
        {
            state.Line = 0;
            state.Problem("has no line of type start; give one, such as {\"t_ms\": 0, \"type\": \"start\", \"release\": \"r2\", \"version\": \"2.0.0\", \"previous_version\": \"1.0.0\", \"devices\": 500}.");
        }

        if (state.Problems.Count > 0)
        {
            throw new ReplayInputException(state.Problems);
        }

        var events = state.Events.Select((e, i) => (e, i)).OrderBy(p => p.e.TimeMs).ThenBy(p => p.i).Select(p => p.e).ToList();
        var recorded = state.Recorded.Select((e, i) => (e, i)).OrderBy(p => p.e.TimeMs).ThenBy(p => p.i).Select(p => p.e).ToList();
        var end = state.EndMs ?? Math.Max(events.Count == 0 ? 0 : events[^1].TimeMs, recorded.Count == 0 ? 0 : recorded[^1].TimeMs);
        return new ReplayInput(source, state.Devices, null, events, recorded, end);
    }

    private sealed class ParseState(string source)
    {
        public int Line;
        public List<string> Problems { get; } = [];
        public List<ReplayEvent> Events { get; } = [];
        public List<JournalEntry> Recorded { get; } = [];
        public StartDeployment? Start;
        public int Devices;
        public long? EndMs;
        public Dictionary<int, int> Sequences { get; } = [];

        public void Problem(string message) =>
            Problems.Add(Line == 0 ? $"{source}: {message}" : $"{source}:{Line}: {message}");
    }

    private static void ReadLine(JsonElement line, ParseState state)
    {
        var type = Text(line, "type", state);
        var time = Time(line, state);
        if (type is null || time is null)
        {
            return;
        }

        var t = time.Value;
        switch (type)
        {
            case "start":
                ReadStart(line, t, state);
                break;
            case "end":
                state.EndMs = t;
                break;
            case "connect":
                if (Device(line, state) is { } connected && Text(line, "version", state) is { } running)
                {
                    state.Events.Add(new ReplayMessage(t, new Heartbeat(connected, running, Slot.A, Healthy: true, Degraded: false)));
                }

                break;
            case "disconnect":
                // The controller has no input for a lost link: it learns of it only from silence.
                _ = Device(line, state);
                break;
            case "heartbeat":
                if (Device(line, state) is { } beating && Text(line, "version", state) is { } version)
                {
                    var degraded = Flag(line, "degraded", false, state);
                    state.Events.Add(new ReplayMessage(t, new Heartbeat(beating, version, Slot.A, Flag(line, "healthy", !degraded, state), degraded)));
                }

                break;
            case "status":
                ReadStatus(line, t, state);
                break;
            case "fault":
                if (Device(line, state) is { } faulty && Text(line, "version", state) is { } faultVersion)
                {
                    var code = Text(line, "code", state, required: false) ?? "fault";
                    state.Events.Add(new ReplayMessage(t, new FaultReport(faulty, faultVersion, code, Flag(line, "critical", true, state))));
                }

                break;
            case "operator":
                if (Choice(line, "action", OperatorActions, state) is { } action)
                {
                    state.Events.Add(new ReplayOperator(t, new OperatorAction(action, OptionalDevice(line, state))));
                }

                break;
            case "server":
                var up = Text(line, "state", state);
                if (up is "up" or "down")
                {
                    state.Events.Add(new ReplayServer(t, up == "up"));
                }
                else if (up is not null)
                {
                    state.Problem($"state '{up}' is not one of: up, down.");
                }

                break;
            default:
                ReadDecision(line, type, t, state);
                break;
        }
    }

    private static void ReadStart(JsonElement line, long t, ParseState state)
    {
        if (state.Start is not null)
        {
            state.Problem("is a second start line; a recording has one deployment.");
            return;
        }

        var release = Text(line, "release", state);
        var version = Text(line, "version", state);
        var previous = Text(line, "previous_version", state, required: false) ?? "";
        var devices = Integer(line, "devices", state, required: true);
        if (release is null || version is null || devices is null)
        {
            return;
        }

        if (devices < 1)
        {
            state.Problem($"devices {devices} must be at least 1.");
            return;
        }

        state.Devices = (int)devices;
        var targets = Enumerable.Range(0, state.Devices).ToList();
        if (line.TryGetProperty("targets", out var list))
        {
            if (list.ValueKind != JsonValueKind.Array || list.EnumerateArray().Any(item => !item.TryGetInt32(out var d) || d < 0 || d >= state.Devices))
            {
                state.Problem($"targets must be a list of device numbers from 0 to {state.Devices - 1}.");
                return;
            }

            targets = list.EnumerateArray().Select(item => item.GetInt32()).ToList();
        }

        state.Start = ReplayManifests.Deployment(release, version, 0, "", 0, previous, [], targets);
        state.Events.Add(new ReplayStart(t, state.Start));
    }

    private static void ReadStatus(JsonElement line, long t, ParseState state)
    {
        var device = Device(line, state);
        var statusText = Text(line, "status", state);
        var version = Text(line, "version", state);
        if (device is null || statusText is null || version is null)
        {
            return;
        }

        if (!MessageText.TryParseStatus(statusText, out var status))
        {
            state.Problem($"status '{statusText}' is not one of: {string.Join(", ", MessageText.StatusNames)}.");
            return;
        }

        var reasonText = Text(line, "reason", state, required: false) ?? "";
        if (!MessageText.TryParseReason(reasonText, out var reason))
        {
            state.Problem($"reason '{reasonText}' is not one of: {string.Join(", ", MessageText.ReasonNames)}.");
            return;
        }

        var sequence = Integer(line, "sequence", state, required: false) ?? state.Sequences.GetValueOrDefault(device.Value) + 1;
        state.Sequences[device.Value] = (int)Math.Max(sequence, state.Sequences.GetValueOrDefault(device.Value));
        var release = Text(line, "release", state, required: false) ?? state.Start?.Release.Manifest.ReleaseId ?? "";
        state.Events.Add(new ReplayMessage(t, new StatusReport(device.Value, (int)sequence, release, status, reason, version)));
    }

    private static void ReadDecision(JsonElement line, string type, long t, ParseState state)
    {
        var actor = Text(line, "actor", state, required: false);
        JournalEntry? entry = type switch
        {
            "offer" => Device(line, state) is { } d ? new JournalEntry(t, JournalKind.DeviceOffered, d, Actor: "server") : null,
            "pause" => new JournalEntry(t, JournalKind.RolloutPaused, Actor: actor ?? "automatic"),
            "resume" => new JournalEntry(t, JournalKind.RolloutResumed, Actor: actor ?? "operator"),
            "abort" => new JournalEntry(t, JournalKind.RolloutAborted, Actor: actor ?? "operator"),
            "alert" => new JournalEntry(t, JournalKind.AlertRaised, Status: Text(line, "id", state, required: false), Actor: "automatic"),
            "recovery" => Device(line, state) is { } r && Text(line, "action", state) is { } what
                ? new JournalEntry(t, JournalKind.RecoveryAction, r, Detail: what, Actor: actor ?? "automatic")
                : null,
            "state" => Device(line, state) is { } s && Text(line, "state", state) is { } name
                ? new JournalEntry(t, JournalKind.ActionState, s, Status: name, Actor: "server")
                : null,
            _ => null,
        };
        if (entry is { } decision)
        {
            state.Recorded.Add(decision);
            return;
        }

        if (!Types.Contains(type))
        {
            var suggestion = Suggestions.Closest(type, Types);
            state.Problem($"type '{type}' is not one of: {string.Join(", ", Types)}." + (suggestion is null ? "" : $" Did you mean '{suggestion}'?"));
        }
    }

    private static long? Time(JsonElement line, ParseState state)
    {
        if (line.TryGetProperty("t_ms", out var ms))
        {
            if (ms.TryGetInt64(out var value) && value >= 0)
            {
                return value;
            }

            state.Problem($"t_ms {ms.GetRawText()} must be a whole number of milliseconds, 0 or more.");
            return null;
        }

        if (line.TryGetProperty("time", out var time))
        {
            if (time.ValueKind == JsonValueKind.String && Units.TryParseDuration(time.GetString()!, out var parsed))
            {
                return parsed;
            }

            state.Problem($"time {time.GetRawText()} must be a duration with a unit: ms, s, m, h or d (such as \"90m\").");
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
            state.Problem($"{key} {value.GetRawText()} must be a string.");
            return null;
        }

        return value.GetString();
    }

    private static long? Integer(JsonElement line, string key, ParseState state, bool required)
    {
        if (!line.TryGetProperty(key, out var value))
        {
            if (required)
            {
                state.Problem($"has no {key}.");
            }

            return null;
        }

        if (!value.TryGetInt64(out var number))
        {
            state.Problem($"{key} {value.GetRawText()} must be a whole number.");
            return null;
        }

        return number;
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

        state.Problem($"{key} {value.GetRawText()} must be true or false.");
        return fallback;
    }

    private static int? Device(JsonElement line, ParseState state)
    {
        var device = Integer(line, "device", state, required: true);
        if (device is null)
        {
            return null;
        }

        if (state.Start is null)
        {
            state.Problem("comes before the start line; the start line gives the fleet size, so it must come first.");
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
}
