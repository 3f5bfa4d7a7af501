using FleetOta.Protocol;
using FleetOta.Server;

namespace FleetOta.Agent.Tests.Rig;

/// <summary>Update flows shared by the power-cut tests: each builds a rig, updates from 1.0.0 to 2.0.0 and runs on.</summary>
internal static class Flows
{
    /// <summary>Time the device runs before the deployment starts.</summary>
    public const long DeployAtMs = 5_000;

    /// <summary>Time after which a flow is judged: long enough for heartbeats, report retries and the server's
    /// automatic retries (30 min apart by default) to settle.</summary>
    public const long SettleMs = 12 * 3_600_000L;

    /// <summary>Runs an update of 2.0.0 with the given behaviour and the power cut chosen by
    /// <paramref name="cutWhen"/>; the power returns 10 s after each cut.</summary>
    public static DeviceRig Update(bool redundant, ImageBehaviour newImage, Func<RigStep, bool>? cutWhen, RigOptions? options = null)
    {
        var releases = TestReleases.Shared;
        var rig = new DeviceRig(releases, (options ?? new RigOptions()) with { RedundantEnvironment = redundant });
        rig.Behaviour[releases.New.Version] = newImage;
        rig.CutWhen = cutWhen;
        rig.Start();
        rig.RunUntil(DeployAtMs);
        rig.Deploy(releases.New, releases.Old);
        rig.RunUntil(DeployAtMs + SettleMs);
        return rig;
    }

    /// <summary>Returns what is wrong with a rig after it settled, or null. Checks the rules every flow must keep:
    /// every boot lands on a valid slot, the device runs a valid slot, and the server records the running version.</summary>
    public static string? SafetyProblem(DeviceRig rig)
    {
        if (rig.Boots.FirstOrDefault(boot => boot.Slot is null) is { } bricked)
        {
            return $"a boot at {bricked.AtMs} ms found no valid slot";
        }

        if (rig.Running is not { } running || !rig.Slots[(int)running].Valid)
        {
            return $"the device is not running a valid slot (running {rig.Running?.ToString() ?? "nothing"})";
        }

        var recorded = rig.Controller.RunningVersionOf(DeviceRig.DeviceId);
        return recorded == rig.RunningVersion ? null : $"the server records version '{recorded}' but the device runs '{rig.RunningVersion}'";
    }

    /// <summary>Returns what is wrong with the end of a flow that should finish on <paramref name="version"/> with the
    /// server in <paramref name="state"/>, or null.</summary>
    public static string? OutcomeProblem(DeviceRig rig, string version, ActionState state)
    {
        if (SafetyProblem(rig) is { } problem)
        {
            return problem;
        }

        if (rig.RunningVersion != version)
        {
            return $"runs {rig.RunningVersion}, expected {version}";
        }

        if (rig.ServerState() != state)
        {
            return $"the server state is {rig.ServerState()}, expected {state}";
        }

        if (rig.Persisted is not { Phase: AgentPhase.Idle, PendingReports.IsEmpty: true })
        {
            return $"the agent is in phase {rig.Persisted?.Phase} with {rig.Persisted?.PendingReports.Count} unacknowledged reports";
        }

        return null;
    }

    /// <summary>Returns the steps of a flow run without power cuts, from the deployment until the flow settled.</summary>
    public static IReadOnlyList<RigStep> StepsOf(DeviceRig reference, long untilMs) =>
        reference.Steps.Where(step => step.AtMs < untilMs).ToList();

    public static string Describe(RigStep step) => $"step {step.Index} at {step.AtMs} ms ({step.Kind}: {step.What})";

    /// <summary>The slot the update installs into.</summary>
    public const Slot Target = Slot.B;
}
