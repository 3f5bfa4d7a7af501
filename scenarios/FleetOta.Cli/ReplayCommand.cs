using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using FleetOta.Scenarios.Model;
using FleetOta.Scenarios.Replay;
using Spectre.Console;

namespace FleetOta.Cli;

/// <summary><c>fleetota replay</c>: re-runs a recorded journal or a JSON-lines file of device events against the
/// current rollout controller and lists where its decisions differ from the recording.</summary>
internal static class ReplayCommand
{
    /// <summary>Maximum number of problems listed for an invalid recording, because a file of another kind can have one
    /// per line.</summary>
    private const int MaxProblemsShown = 20;

    public static Command Create()
    {
        var input = new Argument<string>("input")
        {
            Description = "The recording: a journal.sqlite from a run folder, or a JSON-lines file of device events (format in docs/scenarios.md).",
        };
        var autoPause = OnOff("--auto-pause", "Pause the rollout when the critical-fault rate breaches the limit: on or off. Default: as recorded (on for a JSON-lines file).");
        var alert = OnOff("--alert", "Alert on-call on a breach: on or off. Default: as recorded (on for a JSON-lines file).");
        var faultLimit = new Option<string?>("--fault-limit")
        {
            Description = "Critical-fault rate limit, a share (0.005) or a percentage (0.5%). Default: as recorded (0.5% for a JSON-lines file).",
        };
        var faultWindow = new Option<string?>("--fault-window")
        {
            Description = "Sliding window of the fault rate, a duration such as 30m. Default: as recorded (30m for a JSON-lines file).",
        };
        var minSample = new Option<int?>("--min-sample")
        {
            Description = "Activated devices needed before the fault rate is judged, in devices. Default: as recorded (50 for a JSON-lines file).",
        };
        var recovery = OnOff("--recovery", "Apply the automatic recovery policy: on or off. Default: as recorded (on for a JSON-lines file).");
        var retryDelay = new Option<string?>("--retry-delay")
        {
            Description = "Delay before a failed device is told to retry, a duration such as 30m. Default: as recorded (30m for a JSON-lines file).",
        };
        var maxAttempts = new Option<int?>("--max-attempts")
        {
            Description = "Update attempts per device that automatic recovery may use, first one included. Default: as recorded (3 for a JSON-lines file).",
        };
        var silentTimeout = new Option<string?>("--silent-timeout")
        {
            Description = "Time a device may stay silent after rebooting into the update before it counts as failed, such as 15m. Default: as recorded (15m for a JSON-lines file).",
        };
        var format = new Option<string>("--format")
        {
            Description = "Output format: text or json.",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "json");
        var show = new Option<int>("--show")
        {
            Description = "Number of differences listed per category in text output; json lists all.",
            DefaultValueFactory = _ => 10,
        };

        var command = new Command("replay",
            "Replay a recorded run or a file of device events against the current rollout controller and list where its decisions " +
            "(offers, pauses, alerts, recovery actions, final action states) differ from the recording. A JSON-lines file is compared only in the " +
            "categories it has decision lines of; without any, the replay's decisions are listed. " +
            "Exit code 0: no difference (or nothing to compare), 1: differences, 2: invalid input or usage.")
        {
            input, autoPause, alert, faultLimit, faultWindow, minSample, recovery, retryDelay, maxAttempts, silentTimeout, format, show,
        };
        command.SetAction(result =>
        {
            var error = result.InvocationConfiguration.Error;
            var problems = new List<string>();
            var overrides = new ReplayOverrides
            {
                AutoPause = Flag(result.GetValue(autoPause)),
                Alert = Flag(result.GetValue(alert)),
                FaultLimit = Share(result.GetValue(faultLimit), "--fault-limit", problems),
                FaultWindowMs = Duration(result.GetValue(faultWindow), "--fault-window", problems),
                MinimumSample = Positive(result.GetValue(minSample), "--min-sample", problems),
                Recovery = Flag(result.GetValue(recovery)),
                RetryDelayMs = Duration(result.GetValue(retryDelay), "--retry-delay", problems),
                MaxAttempts = Positive(result.GetValue(maxAttempts), "--max-attempts", problems),
                SilentTimeoutMs = Duration(result.GetValue(silentTimeout), "--silent-timeout", problems),
            };
            if (result.GetValue(show) < 0)
            {
                problems.Add($"--show must be 0 or more, but is {result.GetValue(show)}.");
            }

            if (problems.Count > 0)
            {
                problems.ForEach(problem => error.WriteLine("error: " + problem));
                return ExitCodes.Usage;
            }

            ReplayReport report;
            try
            {
                report = IncidentReplay.Run(IncidentReplay.Load(result.GetValue(input)!), overrides);
            }
            catch (ReplayInputException invalid)
            {
                WriteProblems(error, invalid.Problems);
                return ExitCodes.Usage;
            }

            var output = result.InvocationConfiguration.Output;
            if (result.GetValue(format) == "json")
            {
                output.WriteLine(JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
            }
            else
            {
                WriteText(RunCommand.ConsoleFor(output), report, result.GetValue(show));
            }

            return report.Identical ? ExitCodes.Passed : ExitCodes.GateFailed;
        });
        return command;
    }

    /// <summary>Writes the problems of an invalid recording, at most <see cref="MaxProblemsShown"/> of them.</summary>
    private static void WriteProblems(TextWriter error, IReadOnlyList<string> problems)
    {
        var count = problems.Count;
        var firstOnly = count > MaxProblemsShown ? $"; the first {MaxProblemsShown}" : "";
        error.WriteLine($"error: the recording cannot be replayed ({count} problem{(count == 1 ? "" : "s")}{firstOnly}):");
        foreach (var problem in problems.Take(MaxProblemsShown))
        {
            error.WriteLine("  " + problem);
        }

        if (count > MaxProblemsShown)
        {
            error.WriteLine($"  ... and {count - MaxProblemsShown} more problems.");
        }
    }

    private static void WriteText(IAnsiConsole console, ReplayReport report, int show)
    {
        console.WriteLine($"Replayed {report.Source} against the current rollout controller.");
        console.WriteLine($"Options: {report.Options}.");
        console.WriteLine("Times are minutes since the recorded release start. Devices send what they sent in the recording; they do not react to new decisions.");
        var table = new Table().AddColumns("decisions", "recorded", "replayed");
        foreach (var count in report.Counts)
        {
            var recorded = count.Compared ? count.Recorded.ToString(CultureInfo.InvariantCulture) : "not recorded";
            table.AddRow(count.Category, recorded, count.Replayed.ToString(CultureInfo.InvariantCulture));
        }

        console.Write(table);
        WriteUnrecorded(console, report, show);
        if (!report.Compared)
        {
            console.WriteLine("Nothing is compared, because the recording has no controller decisions. The list above is the outcome of the replay.");
            return;
        }

        if (report.Identical)
        {
            var compared = report.Counts.Where(count => count.Compared).Select(count => count.Category).ToList();
            var scope = compared.Count == report.Counts.Count ? "" : $" (compared: {string.Join(", ", compared)})";
            console.MarkupLineInterpolated($"[green]No difference[/]: the current controller makes the recorded decisions{scope}.");
            return;
        }

        foreach (var category in report.Differences.GroupBy(difference => difference.Category))
        {
            var list = category.ToList();
            console.MarkupLineInterpolated($"[bold]{category.Key}[/]: {list.Count} difference{(list.Count == 1 ? "" : "s")}");
            foreach (var difference in list.Take(show))
            {
                var device = difference.Device is { } d ? $"device {d}: " : "";
                console.WriteLine($"  {device}recorded {difference.Recorded}; replayed {difference.Replayed}");
            }

            if (list.Count > show)
            {
                console.WriteLine($"  ... and {list.Count - show} more (--show sets how many are listed, --format json lists all)");
            }
        }

        var first = report.Differences.Where(difference => difference.TimeMs is not null).Select(difference => difference.TimeMs!.Value).DefaultIfEmpty(-1).Min();
        var firstText = first >= 0 ? $"; the first at {DecisionComparison.At(first, report.ReleaseStartMs)}" : "";
        var plural = report.Differences.Count == 1 ? "" : "s";
        console.MarkupLineInterpolated($"[red]{report.Differences.Count} difference{plural}[/] from the recording{firstText}.");
    }

    /// <summary>Lists the replay's decisions in the categories that the recording does not record.</summary>
    private static void WriteUnrecorded(IAnsiConsole console, ReplayReport report, int show)
    {
        var categories = report.Counts.Where(count => !count.Compared).Select(count => count.Category).ToList();
        if (categories.Count == 0)
        {
            return;
        }

        console.WriteLine($"Not compared, because the recording has no decisions of these categories: {string.Join(", ", categories)}. The replay decided:");
        foreach (var category in report.Unrecorded.GroupBy(decision => decision.Category))
        {
            var list = category.ToList();
            console.MarkupLineInterpolated($"[bold]{category.Key}[/] (replay only): {list.Count} decision{(list.Count == 1 ? "" : "s")}");
            foreach (var decision in list.Take(show))
            {
                var device = decision.Device is { } d ? $"device {d}: " : "";
                console.WriteLine($"  {device}{decision.Replayed}");
            }

            if (list.Count > show)
            {
                console.WriteLine($"  ... and {list.Count - show} more (--show sets how many are listed, --format json lists all)");
            }
        }
    }

    private static Option<string?> OnOff(string name, string description)
    {
        var option = new Option<string?>(name) { Description = description };
        option.AcceptOnlyFromAmong("on", "off");
        return option;
    }

    private static bool? Flag(string? value) => value is null ? null : value == "on";

    private static double? Share(string? text, string name, List<string> problems)
    {
        if (text is null)
        {
            return null;
        }

        if (Units.TryParseShare(text, out var share) && share > 0)
        {
            return share;
        }

        problems.Add($"{name} '{text}' is not a share above 0: give a number up to 1 (such as 0.005) or a percentage (such as 0.5%).");
        return null;
    }

    private static long? Duration(string? text, string name, List<string> problems)
    {
        if (text is null)
        {
            return null;
        }

        if (Units.TryParseDuration(text, out var ms) && ms > 0)
        {
            return ms;
        }

        problems.Add($"{name} '{text}' is not a duration above 0: give a number with a unit, ms, s, m, h or d (such as 30m).");
        return null;
    }

    private static int? Positive(int? value, string name, List<string> problems)
    {
        if (value is null or > 0)
        {
            return value;
        }

        problems.Add($"{name} must be at least 1, but is {value}.");
        return null;
    }
}
