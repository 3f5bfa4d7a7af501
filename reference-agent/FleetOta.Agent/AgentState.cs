using System.Collections.Immutable;
using FleetOta.Protocol;

namespace FleetOta.Agent;

/// <summary>The step of the current attempt, persisted so the agent resumes after a power cut. Every phase
/// after <see cref="Installing"/> names the slot it expects to run on, so a boot on the other slot is detected.</summary>
public enum AgentPhase
{
    Idle,
    Downloading,
    Verifying,
    /// <summary>Writing the inactive slot and reading it back; the boot environment still boots the running slot.</summary>
    Installing,
    /// <summary>The slot is written and verified; the trial boot environment is being written.</summary>
    AwaitingReboot,
    /// <summary>Booted into the target slot on trial; the health check decides.</summary>
    Trial,
    /// <summary>The health check passed; the environment that makes the target slot permanent is being written.</summary>
    Committing,
    /// <summary>The trial failed; the agent is switching the boot environment back to the previous slot.</summary>
    RollingBack,
    /// <summary>Back on the previous slot after a failed trial; its health check confirms it is usable.</summary>
    ConfirmingFallback,
}

/// <summary>What the current attempt does.</summary>
public enum AttemptKind
{
    /// <summary>Download, verify and install a release into the inactive slot, then try it.</summary>
    Update,

    /// <summary>Try the image already in the other slot, on a remote rollback command.</summary>
    Rollback,
}

/// <summary>The agent's persistent state. Immutable: every change is a new instance written with
/// <see cref="PersistState"/>. Each write is a complete state, so a power cut leaves either the old or the new one.</summary>
/// <param name="Offer">The manifest of the current or last update attempt.</param>
/// <param name="TargetSlot">The slot the current attempt installs into or tries.</param>
/// <param name="PreviousVersion">The version that ran when the attempt started installing.</param>
/// <param name="DownloadedBytes">Bytes of the download stored and verified; a resumed download starts here.</param>
/// <param name="MinimumSecurityVersion">Anti-rollback floor: the security version of the last committed image.</param>
/// <param name="PendingReports">Status reports sent but not yet acknowledged, oldest first.</param>
/// <param name="LastOutcome">Final status of the last attempt, so a retry knows what failed.</param>
/// <param name="LastReason">Why the last or current attempt failed; <see cref="FailureReason.None"/> otherwise.</param>
/// <param name="Degraded">Both slots failed their health checks; cleared by the next commit.</param>
public sealed record AgentState(
    AgentPhase Phase,
    AttemptKind Kind,
    SignedManifest? Offer,
    string? ArtifactUrl,
    Slot TargetSlot,
    string PreviousVersion,
    long DownloadedBytes,
    int MinimumSecurityVersion,
    int NextSequence,
    ImmutableList<StatusReport> PendingReports,
    UpdateStatus? LastOutcome,
    FailureReason LastReason,
    bool Degraded)
{
    public static AgentState Initial(int securityVersion) =>
        new(AgentPhase.Idle, AttemptKind.Update, null, null, Slot.A, "", 0, securityVersion, 1, [], null, FailureReason.None, false);
}
