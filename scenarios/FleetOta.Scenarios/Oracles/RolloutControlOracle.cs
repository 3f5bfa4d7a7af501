using FleetOta.Journal;
using FleetOta.Scenarios.Model;

namespace FleetOta.Scenarios.Oracles;

/// <summary>Rollout control: when the critical-fault rate of updated devices exceeds the limit over the sliding
/// window, the rollout must pause and on-call must be alerted within their limits. The rate at t is the number of
/// distinct devices on the new version with a critical fault received by the server in (t - window, t], over the
/// devices that activated the new version at or before t, both from messages as delivered to the server. A pause
/// without a breach is a false pause and fails.</summary>
public static class RolloutControlOracle
{
    public sealed record Outcome(
        CriterionResult Result,
        long BreachMs,
        long GroundBreachMs,
        long PauseMs,
        long AlertMs,
        List<(double Minutes, double Rate)> RateOverTime);

    public static Outcome Evaluate(JournalFacts facts, CriteriaThresholds criteria)
    {
        var delivered = FaultsAsDelivered(facts);
        var grounded = FaultsOnDevices(facts);
        var transport = FindBreach(delivered, facts.ActivatedMs, criteria, facts.EndMs, collectSeries: true);
        var ground = FindBreach(grounded, facts.GroundActivatedMs, criteria, facts.EndMs, collectSeries: false);
        var pause = FirstTime(facts, JournalKind.RolloutPaused, entry => entry.Actor == "automatic");
        var alert = FirstTime(facts, JournalKind.AlertDelivered, entry => entry.Status == "delivered");
        var result = Judge(facts, criteria, transport, ground.Breach, pause, alert, delivered);
        return new Outcome(result, transport.Breach, ground.Breach, pause, alert, transport.Series);
    }

    private static CriterionResult Judge(
        JournalFacts facts, CriteriaThresholds criteria, BreachSearch transport, long groundBreach, long pause, long alert,
        List<(long TimeMs, int Device)> faults)
    {
        var breach = transport.Breach;
        var maxActivated = transport.MaxActivated;
        var start = Math.Max(facts.ReleaseStartMs, 0);
        string Minutes(long ms) => $"{(ms - start) / 60_000.0:0.0} min after the release start";

        var threshold = criteria.PauseWithinMs / 1000.0;
        var silence = SilenceNote(facts, pause);
        var ground = groundBreach >= 0 ? $" Ground-truth breach (faults on devices) at {Minutes(groundBreach)}" +
                                         (breach >= 0 ? $", {(breach - groundBreach) / 1000.0:0.#} s before the server saw it." : ".") : "";
        if (breach < 0)
        {
            if (pause >= 0)
            {
                var pausedBy = ShareResult.Evidence(facts, faults.Where(f => f.TimeMs <= pause).Select(f => f.Device).Distinct()
                    .Select(d => (d, "critical fault received before the false pause")).ToList());
                return Result(Verdict.Fail, null, threshold, maxActivated,
                    $"False pause: the rollout paused at {Minutes(pause)} but the critical-fault rate never exceeded {criteria.FaultRateLimit:P2} " +
                    $"over a {criteria.FaultWindowMs / 60_000} min window (highest {transport.PeakRate:P2}).{silence}{ground}", pausedBy);
            }

            if (maxActivated < criteria.FaultMinimumSample)
            {
                return Result(Verdict.Inconclusive, null, threshold, maxActivated,
                    $"Only {maxActivated} devices activated the new version; at least {criteria.FaultMinimumSample} are needed to judge the rate.", []);
            }

            return Result(Verdict.Pass, null, threshold, maxActivated,
                $"The critical-fault rate never exceeded {criteria.FaultRateLimit:P2} over any {criteria.FaultWindowMs / 60_000} min window, and the rollout was not paused.{ground}", []);
        }

        var pauseDelay = pause >= 0 ? pause - breach : -1;
        var alertDelay = alert >= 0 ? alert - breach : -1;
        var pauseOk = pause >= breach && pauseDelay <= criteria.PauseWithinMs;
        var alertOk = alert >= breach && alertDelay <= criteria.AlertWithinMs;
        var (low, high) = Wilson.Interval(transport.FaultyAtBreach, transport.ActivatedAtBreach);
        var text = $"Breach at {Minutes(breach)}: {transport.FaultyAtBreach} of {transport.ActivatedAtBreach} activated devices with a critical fault " +
                   $"in {criteria.FaultWindowMs / 60_000} min ({(double)transport.FaultyAtBreach / transport.ActivatedAtBreach:P2}, 95% interval {low:P2} to {high:P2}, " +
                   $"limit {criteria.FaultRateLimit:P2}); " +
                   (pause < 0 ? "the rollout never paused" : pause < breach ? $"paused at {Minutes(pause)}, before the breach (a false pause)" : $"paused {pauseDelay / 1000.0:0.#} s later (limit {criteria.PauseWithinMs / 1000} s)") +
                   "; " +
                   (alert < 0 ? "no alert was delivered" : $"alert delivered {alertDelay / 1000.0:0.#} s after the breach (limit {criteria.AlertWithinMs / 1000} s)") +
                   "." + ground;
        var evidence = pauseOk && alertOk ? [] : ShareResult.Evidence(facts,
            faults.Where(f => f.TimeMs <= breach).Select(f => f.Device).Distinct().Select(d => (d, "critical fault counted in the breach")).ToList());
        return Result(pauseOk && alertOk ? Verdict.Pass : Verdict.Fail, pauseDelay >= 0 ? pauseDelay / 1000.0 : null, threshold,
            maxActivated, text, evidence);
    }

    /// <summary>Explains a pause the fault reports do not account for: the reference controller also counts a device
    /// that stays silent after rebooting into the update as a critical fault, while this criterion counts only fault
    /// reports delivered to the server. Returns an empty text when no device had timed out by the pause.</summary>
    private static string SilenceNote(JournalFacts facts, long pause)
    {
        if (pause < 0)
        {
            return "";
        }

        var silent = new HashSet<int>();
        foreach (var entry in facts.Journal.Entries)
        {
            if (entry.TimeMs > pause)
            {
                break;
            }

            if (entry.Kind == JournalKind.ActionState && entry.Status == "timed-out" && entry.Device >= 0)
            {
                silent.Add(entry.Device);
            }
        }

        return silent.Count == 0
            ? ""
            : $" By the pause, {silent.Count} devices had timed out silent after their update; the controller counts such silence as " +
              "a critical fault, while this criterion counts only critical fault reports delivered to the server.";
    }

    private static CriterionResult Result(Verdict verdict, double? measured, double threshold, int sample, string summary, IReadOnlyList<EvidenceDevice> evidence) =>
        new(CriterionIds.RolloutControl, "release", verdict, measured, threshold, "s", sample, null, null, summary, evidence);

    private static long FirstTime(JournalFacts facts, JournalKind kind, Func<JournalEntry, bool> predicate)
    {
        foreach (var entry in facts.Journal.Entries)
        {
            if (entry.Kind == kind && predicate(entry))
            {
                return entry.TimeMs;
            }
        }

        return -1;
    }

    private static List<(long, int)> FaultsAsDelivered(JournalFacts facts) =>
        facts.Journal.Entries
            .Where(entry => entry.Kind == JournalKind.MessageDelivered && entry.Actor == "server" && entry.Status == "fault"
                            && entry.Version == facts.NewVersion && entry.Detail is { } detail && detail.StartsWith("critical", StringComparison.Ordinal))
            .Select(entry => (entry.TimeMs, entry.Device))
            .ToList();

    private static List<(long, int)> FaultsOnDevices(JournalFacts facts) =>
        facts.Journal.Entries
            .Where(entry => entry.Kind == JournalKind.DeviceFault && entry.Version == facts.NewVersion)
            .Select(entry => (entry.TimeMs, entry.Device))
            .ToList();

    /// <summary>Sweeps faults and activations in time order. Between them the rate only falls, so the first breach is
    /// at a fault arrival or at the activation that brings the sample up to its minimum; the series samples the rate
    /// every minute for the chart.</summary>
    internal sealed record BreachSearch(
        long Breach, int FaultyAtBreach, int ActivatedAtBreach, double PeakRate, List<(double Minutes, double Rate)> Series, int MaxActivated);

    internal static BreachSearch FindBreach(
        List<(long TimeMs, int Device)> faults, long[] activatedMs, CriteriaThresholds criteria, long endMs, bool collectSeries)
    {
        var activations = activatedMs.Where(t => t >= 0).Order().ToArray();
        var window = new Queue<(long TimeMs, int Device)>();
        var perDevice = new Dictionary<int, int>();
        var breach = -1L;
        int faultyAtBreach = 0, activatedAtBreach = 0;
        var peak = 0.0;
        var series = new List<(double, double)>();
        var activated = 0;
        var faultIndex = 0;
        var nextSample = collectSeries ? 0L : long.MaxValue;
        const long sampleStep = 60_000;

        void Expire(long now)
        {
            while (window.Count > 0 && window.Peek().TimeMs <= now - criteria.FaultWindowMs)
            {
                var (_, device) = window.Dequeue();
                if (--perDevice[device] == 0)
                {
                    perDevice.Remove(device);
                }
            }
        }

        void Check(long now)
        {
            if (activated < criteria.FaultMinimumSample)
            {
                return;
            }

            var rate = (double)perDevice.Count / activated;
            peak = Math.Max(peak, rate);
            if (breach < 0 && rate > criteria.FaultRateLimit)
            {
                (breach, faultyAtBreach, activatedAtBreach) = (now, perDevice.Count, activated);
            }
        }

        while (true)
        {
            var faultTime = faultIndex < faults.Count ? faults[faultIndex].TimeMs : long.MaxValue;
            var activationTime = activated < activations.Length ? activations[activated] : long.MaxValue;
            var sampleTime = nextSample <= endMs ? nextSample : long.MaxValue;
            var now = Math.Min(faultTime, Math.Min(activationTime, sampleTime));
            if (now == long.MaxValue)
            {
                break;
            }

            Expire(now);
            if (activationTime == now)
            {
                // Activations first: a device that reports its first fault activates at that same moment.
                while (activated < activations.Length && activations[activated] == now)
                {
                    activated++;
                }

                Check(now);
            }

            if (faultTime == now)
            {
                var (time, device) = faults[faultIndex++];
                window.Enqueue((time, device));
                perDevice[device] = perDevice.GetValueOrDefault(device) + 1;
                Check(now);
            }

            if (sampleTime == now)
            {
                series.Add((now / 60_000.0, activated == 0 ? 0 : (double)perDevice.Count / activated));
                nextSample += sampleStep;
            }
        }

        return new BreachSearch(breach, faultyAtBreach, activatedAtBreach, peak, series, activations.Length);
    }
}
