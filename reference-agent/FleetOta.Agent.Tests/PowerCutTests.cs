using Xunit.Abstractions;
using FleetOta.Agent.Tests.Rig;
using FleetOta.Server;

namespace FleetOta.Agent.Tests;

/// <summary>Cuts the power once at every step and every write boundary of an update flow (agent outputs, slot,
/// download and agent state writes, and every boot environment write by the agent or the bootloader), restores it
/// after 10 s, and checks where the device and the server end up.</summary>
public sealed class PowerCutTests(ITestOutputHelper output)
{
    private const long FlowWindowMs = Flows.DeployAtMs + 120_000;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Update_CutAtEveryStep_CommitsNewVersion(bool redundant)
    {
        var problems = CutAtEveryStep(redundant, ImageBehaviour.Healthy, "2.0.0", ActionState.Succeeded);

        problems.Should().BeEmpty();
    }

    [Theory]
    [InlineData(true, ImageBehaviour.CrashesOnStart)]
    [InlineData(false, ImageBehaviour.CrashesOnStart)]
    [InlineData(true, ImageBehaviour.FailsHealthCheck)]
    [InlineData(false, ImageBehaviour.FailsHealthCheck)]
    [InlineData(true, ImageBehaviour.HangsHealthCheck)]
    public void Fallback_CutAtEveryStep_EndsOnOldVersion(bool redundant, ImageBehaviour newImage)
    {
        var problems = CutAtEveryStep(redundant, newImage, "1.0.0", ActionState.RolledBack);

        problems.Should().BeEmpty();
    }

    private List<string> CutAtEveryStep(bool redundant, ImageBehaviour newImage, string version, ActionState state)
    {
        var reference = Flows.Update(redundant, newImage, cutWhen: null);
        Flows.OutcomeProblem(reference, version, state).Should().BeNull("the flow without power cuts must end as expected");
        var steps = Flows.StepsOf(reference, FlowWindowMs);
        steps.Should().Contain(step => step.IsEnvironmentWrite, "the flow must write the boot environment");

        var problems = new List<string>();
        foreach (var step in steps)
        {
            var rig = Flows.Update(redundant, newImage, cutWhen: candidate => candidate.Index == step.Index);
            if (rig.PowerCuts != 1)
            {
                problems.Add($"{Flows.Describe(step)}: expected one power cut, saw {rig.PowerCuts}");
            }
            else if (rig.Steps[step.Index].What != step.What)
            {
                problems.Add($"{Flows.Describe(step)}: the run with the cut diverged before the cut ({rig.Steps[step.Index].What})");
            }
            else if (Flows.OutcomeProblem(rig, version, state) is { } problem)
            {
                problems.Add($"{Flows.Describe(step)}: {problem}");
            }
        }

        output.WriteLine($"{steps.Count} cut points, {steps.Count(step => step.IsWrite)} of them writes, " +
                         $"{steps.Count(step => step.IsEnvironmentWrite)} boot environment writes");
        return problems;
    }
}
