using System.Text;
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
public static partial class JsonLinesReplaySource
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

    /// <summary>The comparison category of each type of recorded decision. A JSON-lines file records no waves.</summary>
    private static readonly Dictionary<string, string> DecisionCategories = new(StringComparer.Ordinal)
    {
        ["offer"] = "offers",
        ["pause"] = "pauses",
        ["resume"] = "pauses",
        ["abort"] = "pauses",
        ["alert"] = "alerts",
        ["recovery"] = "recovery",
        ["state"] = "final-state",
    };

    /// <summary>Lines read before parsing stops when none of them is a JSON object with a type, because such a file is
    /// no event file and every later line would repeat the same problems.</summary>
    private const int ProbeLines = 5;

    private const string StartExample =
        "{\"t_ms\": 0, \"type\": \"start\", \"release\": \"r2\", \"version\": \"2.0.0\", \"previous_version\": \"1.0.0\", \"devices\": 500}";

    public static ReplayInput Read(string path) => Parse(File.ReadLines(path), path);

    /// <summary>Parses the lines of an event file. Throws <see cref="ReplayInputException"/> with every problem, or with
    /// one problem when the first lines show that the input is not an event file at all.</summary>
    public static ReplayInput Parse(IEnumerable<string> lines, string source)
    {
        var state = new ParseState(source);
        var contentLines = 0;
        var eventLines = 0;
        string? firstContent = null;
        foreach (var line in lines)
        {
            state.Line++;
            var text = line.Trim();
            if (text.Length == 0 || text.StartsWith('#'))
            {
                continue;
            }

            contentLines++;
            firstContent ??= text;
            if (ReadText(line, text, state))
            {
                eventLines++;
            }

            if (eventLines == 0 && contentLines == ProbeLines)
            {
                throw new ReplayInputException([NotEventFile(source, firstContent, $"none of its first {ProbeLines} lines is")]);
            }
        }

        if (contentLines > 0 && eventLines == 0)
        {
            var lineCount = contentLines == 1 ? "its only line is not" : $"none of its {contentLines} lines is";
            throw new ReplayInputException([NotEventFile(source, firstContent!, lineCount)]);
        }

        state.Line = 0;
        ReportLinesWithoutStart(state);
        if (state.Problems.Count > 0)
        {
            throw new ReplayInputException(state.Problems);
        }

        var events = state.Events.Select((e, i) => (e, i)).OrderBy(p => p.e.TimeMs).ThenBy(p => p.i).Select(p => p.e).ToList();
        var recorded = state.Recorded.Select((e, i) => (e, i)).OrderBy(p => p.e.TimeMs).ThenBy(p => p.i).Select(p => p.e).ToList();
        var end = state.EndMs ?? Math.Max(events.Count == 0 ? 0 : events[^1].TimeMs, recorded.Count == 0 ? 0 : recorded[^1].TimeMs);
        return new ReplayInput(source, state.Devices, null, events, recorded, end, state.Categories);
    }

    private sealed class ParseState(string source)
    {
        /// <summary>The 1-based number of the line being read, or 0 for a problem of the whole file.</summary>
        public int Line;
        public List<string> Problems { get; } = [];
        public List<ReplayEvent> Events { get; } = [];
        public List<JournalEntry> Recorded { get; } = [];

        /// <summary>Comparison categories of the recorded decision lines.</summary>
        public HashSet<string> Categories { get; } = [];

        /// <summary>The deployment of the start line, or null before a valid start line.</summary>
        public StartDeployment? Start;

        /// <summary>Line number of the first start line, valid or not, or 0 when there is none.</summary>
        public int StartLine;
        public int Devices;
        public long? EndMs;
        public Dictionary<int, int> Sequences { get; } = [];

        /// <summary>Lines that name a device while no valid start line gives the fleet size.</summary>
        public int LinesWithoutStart;
        public int? FirstLineWithoutStart;

        public string Source => source;

        public void Problem(string message) =>
            Problems.Add(Line == 0 ? $"{source}: {message}" : $"{source}:{Line}: {message}");
    }

    /// <summary>Parses one line that is not blank or a comment. Returns whether it is a JSON object with a type, so
    /// that <see cref="Parse"/> can tell an event file with wrong lines from a file of another kind.</summary>
    private static bool ReadText(string line, string text, ParseState state)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                state.Problem("must be one JSON object, such as {\"t_ms\": 0, \"type\": \"connect\", \"device\": 7, \"version\": \"1.4.2\"}.");
                return false;
            }

            ReadLine(root, state);
            return root.TryGetProperty("type", out _);
        }
        catch (JsonException error)
        {
            state.Problem(DescribeJsonError(error, line, text));
            return false;
        }
    }

    /// <summary>Describes a JSON syntax error with its column in the file line. The message of
    /// <see cref="JsonException"/> ends with a 0-based line number and a byte position in the trimmed text, which
    /// would point the reader to the wrong place.</summary>
    private static string DescribeJsonError(JsonException error, string line, string text)
    {
        var message = error.Message;
        var suffix = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (suffix >= 0)
        {
            message = message[..suffix];
        }

        // System.Text.Json suggests reader options to the programmer, which a user of the file cannot change.
        message = message.Replace(" Change the reader options.", "", StringComparison.Ordinal);

        if (error.BytePositionInLine is not { } bytePosition)
        {
            return $"is not valid JSON: {message}";
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        var charsBefore = Encoding.UTF8.GetCharCount(bytes, 0, (int)Math.Min(bytePosition, bytes.Length));
        var leadingSpaces = line.Length - line.TrimStart().Length;
        return $"is not valid JSON at column {leadingSpaces + charsBefore + 1}: {message}";
    }

    private static string NotEventFile(string source, string firstContent, string lineCount)
    {
        var document = firstContent is "{" or "["
            ? " It starts like one JSON document spread over several lines (such as a summary.json)."
            : "";
        return $"{source}: is not a JSON-lines file of device events, because {lineCount} a JSON object with a \"type\".{document} " +
               $"Give a journal.sqlite from a run folder, or a file with one event object per line that starts with a start line, such as {StartExample}";
    }

    /// <summary>Reports once the lines that name a device but have no fleet size to check their device against.</summary>
    private static void ReportLinesWithoutStart(ParseState state)
    {
        var count = state.LinesWithoutStart;
        var more = count > 1 ? $" {count - 1} more lines name a device before it." : "";
        if (state.StartLine == 0)
        {
            state.Problem($"has no line of type start; give one before any line that names a device, such as {StartExample}");
        }
        else if (state.Start is null && count > 0)
        {
            var lines = count == 1 ? "1 line that names a device was" : $"{count} lines that name a device were";
            state.Problem($"{lines} not checked, because the start line (line {state.StartLine}) is invalid.");
        }
        else if (count > 0)
        {
            state.Problems.Add($"{state.Source}:{state.FirstLineWithoutStart}: names a device before the start line (line {state.StartLine}). " +
                               $"Move the start line up, because it gives the fleet size.{more}");
        }
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
        if (state.StartLine != 0)
        {
            state.Problem($"is a second start line (the first is line {state.StartLine}); a recording has one deployment.");
            return;
        }

        state.StartLine = state.Line;
        var release = Text(line, "release", state);
        var version = Text(line, "version", state);
        var previous = Text(line, "previous_version", state, required: false) ?? "";
        var devices = Integer(line, "devices", state, required: true, 1, MaxDevices);
        if (release is null || version is null || devices is null)
        {
            return;
        }

        state.Devices = (int)devices;
        if (Targets(line, state) is not { } targets)
        {
            return;
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

        // The controller ignores a status report whose sequence number is not above the device's previous one.
        var previous = state.Sequences.GetValueOrDefault(device.Value);
        int sequence;
        if (line.TryGetProperty("sequence", out var given) && given.ValueKind != JsonValueKind.Null)
        {
            if (Integer(line, "sequence", state, required: true, 1, int.MaxValue) is not { } number)
            {
                return;
            }

            sequence = (int)number;
        }
        else if (previous == int.MaxValue)
        {
            state.Problem($"has no sequence, and the device's previous one is {int.MaxValue}, the largest allowed. Give the sequence.");
            return;
        }
        else
        {
            sequence = previous + 1;
        }

        state.Sequences[device.Value] = Math.Max(sequence, previous);
        var release = Text(line, "release", state, required: false) ?? state.Start?.Release.Manifest.ReleaseId ?? "";
        state.Events.Add(new ReplayMessage(t, new StatusReport(device.Value, sequence, release, status, reason, version)));
    }

    private static void ReadDecision(JsonElement line, string type, long t, ParseState state)
    {
        if (DecisionCategories.TryGetValue(type, out var category))
        {
            state.Categories.Add(category);
        }

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
}
