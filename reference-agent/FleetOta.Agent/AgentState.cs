using System.Collections.Immutable;
using FleetOta.Protocol;

namespace FleetOta.Agent;

/// <summary>The step of the current update attempt, persisted so the agent resumes after a power cut.</summary>
public enum AgentPhase
{
    Idle,
    Downloading,
    Verifying,
    Installing,
    /// <summary>The slot is written and verified; the trial boot environment is being written.</summary>
    AwaitingReboot,
    /// <summary>Booted into the new slot on trial; the health check decides.</summary>
    Trial,
    /// <summary>The agent asked the bootloader to go back to the previous slot and is rebooting.</summary>
    RollingBack,
    /// <summary>Back on the previous slot after a failed trial; its health check confirms it is usable.</summary>
    ConfirmingFallback,
    /// <summary>Neither slot passes its health check; the agent stays put and reports.</summary>
    Degraded,
}

/// <summary>The agent's persistent state. Immutable: every change is a new instance written with
/// <see cref="PersistState"/>.</summary>
/// <param name="Offer">The manifest of the current or last attempt.</param>
/// <param name="TargetSlot">The slot the current attempt installs into.</param>
/// <param name="PreviousVersion">The version that ran when the attempt started.</param>
/// <param name="DownloadedBytes">Bytes of the download stored and verified; a resumed download starts here.</param>
/// <param name="MinimumSecurityVersion">Anti-rollback floor: the security version of the last committed image.</param>
/// <param name="PendingReports">Status reports sent but not yet acknowledged, oldest first.</param>
/// <param name="LastOutcome">Final status of the last attempt, so a retry knows what failed.</param>
public sealed record AgentState(
    AgentPhase Phase,
    SignedManifest? Offer,
    string? ArtifactUrl,
    Slot TargetSlot,
    string PreviousVersion,
    long DownloadedBytes,
    int MinimumSecurityVersion,
    int NextSequence,
    ImmutableList<StatusReport> PendingReports,
    UpdateStatus? LastOutcome)
{
    public static AgentState Initial(int securityVersion) =>
        new(AgentPhase.Idle, null, null, Slot.A, "", 0, securityVersion, 1, [], null);
}
