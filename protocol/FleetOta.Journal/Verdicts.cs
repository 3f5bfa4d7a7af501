namespace FleetOta.Journal;

/// <summary>Outcome of one release-gate criterion.</summary>
public enum Verdict
{
    Pass,
    Fail,
    Inconclusive,
}

/// <summary>A device that violated a criterion, with the journal lines that show how.</summary>
public sealed record EvidenceDevice(int Device, string Name, string Why, IReadOnlyList<string> Timeline);

/// <summary>The measured result of one criterion, computed from the journal alone.</summary>
/// <param name="Id">Criterion id: reach, success, rollback, recovery or rollout-control.</param>
/// <param name="Scope">What the figure covers: "release", or "wave 2".</param>
/// <param name="Measured">The measured share (0..1) or, for rollout-control, a time in seconds; null when nothing was measurable.</param>
/// <param name="Threshold">The threshold in the same unit as <see cref="Measured"/>.</param>
/// <param name="Sample">Number of devices or cases that the figure is computed over.</param>
/// <param name="IntervalLow">Lower end of the 95% Wilson interval for shares; null otherwise.</param>
/// <param name="Summary">One sentence that states the result in words.</param>
public sealed record CriterionResult(
    string Id,
    string Scope,
    Verdict Verdict,
    double? Measured,
    double Threshold,
    string Unit,
    int Sample,
    double? IntervalLow,
    double? IntervalHigh,
    string Summary,
    IReadOnlyList<EvidenceDevice> Evidence);
