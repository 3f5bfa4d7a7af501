using FleetOta.Journal;
using FleetOta.Scenarios.Model;

namespace FleetOta.Scenarios.Tests;

/// <summary>Each criterion's oracle reports fail, with the right evidence, when the system under test is configured
/// to violate it; and passes on the correctly configured counterpart where one exists.</summary>
public sealed class OracleFailureTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private const string Expect = "expect: { reach: pass, success: pass, rollback: pass, recovery: pass, rollout-control: pass }";

    [Fact]
    public void RolloutControl_AutoPauseOff_FailsWithBreachEvidence()
    {
        var scenario = SmallRuns.Load($$"""
              - name: no-auto-pause
                release: r2
                rollout: { waves: [20%, 100%], gate: { soak: 10m }, fault-monitor: { auto-pause: false } }
                faults: [ { kind: crash-loop, share: 5% } ]
                {{Expect}}
            """);

        var (evaluation, _, _) = SmallRuns.Run(scenario, _temp.Path);

        var control = evaluation.Release(CriterionIds.RolloutControl);
        control.Verdict.Should().Be(Verdict.Fail);
        control.Summary.Should().Contain("the rollout never paused").And.Contain("min after the release start");
        control.Evidence.Should().NotBeEmpty();
        control.Evidence.Should().OnlyContain(device => device.Why == "critical fault counted in the breach");
        control.Evidence[0].Timeline.Should().Contain(line => line.Contains("device.fault crash"));
    }

    [Fact]
    public void RolloutControl_AutoPauseOn_Passes()
    {
        var scenario = SmallRuns.Load($$"""
              - name: auto-pause
                release: r2
                rollout: { waves: [20%, 100%], gate: { soak: 10m } }
                faults: [ { kind: crash-loop, share: 5% } ]
                {{Expect}}
            """);

        var (evaluation, _, _) = SmallRuns.Run(scenario, _temp.Path);

        var control = evaluation.Release(CriterionIds.RolloutControl);
        control.Verdict.Should().Be(Verdict.Pass, control.Summary);
        control.Measured.Should().BeLessThanOrEqualTo(600);
        evaluation.Marks.Select(mark => mark.Label).Should().Equal("breach", "paused", "alerted");
    }

    [Fact]
    public void RolloutControl_PauseWithoutBreach_FailsAsFalsePause()
    {
        // The controller counts a device silent after its update as a critical fault. With a 10 s silence limit every
        // updating device is silent during its trial boot, so the controller pauses although no fault was reported.
        var scenario = SmallRuns.Load($$"""
              - name: false-pause
                release: r2
                rollout: { waves: [20%, 100%], silent-timeout: 10s }
                {{Expect}}
            """);

        var (evaluation, _, _) = SmallRuns.Run(scenario, _temp.Path);

        var control = evaluation.Release(CriterionIds.RolloutControl);
        control.Verdict.Should().Be(Verdict.Fail);
        control.Summary.Should().StartWith("False pause: the rollout paused at");
        control.Summary.Should().MatchRegex(@"By the pause, [1-9]\d* devices had timed out silent after their update; the controller counts");
    }

    [Fact]
    public void Rollback_FallbackTooLate_FailsWithSlowDevices()
    {
        // Boot limit 100: a crash-looping image boots a hundred times (about 55 min) before the bootloader falls back.
        var scenario = SmallRuns.Load($$"""
              - name: late-fallback
                release: r2
                fleet: { boot-limit: 100 }
                rollout: { waves: [100%], fault-monitor: { auto-pause: false } }
                agent: { health-check-timeout: 2h }
                faults: [ { kind: crash-loop, share: 50% } ]
                criteria: { rollback: { min-devices: 100 } }
                {{Expect}}
            """);

        var (evaluation, _, _) = SmallRuns.Run(scenario, _temp.Path);

        var rollback = evaluation.Release(CriterionIds.Rollback);
        rollback.Verdict.Should().Be(Verdict.Fail);
        rollback.Measured.Should().Be(0);
        rollback.Sample.Should().BeGreaterThanOrEqualTo(100);
        rollback.IntervalHigh.Should().BeLessThan(0.05);
        rollback.Evidence.Should().NotBeEmpty();
        rollback.Evidence[0].Why.Should().MatchRegex(@"^back after \d+\.\d s$");
        rollback.Evidence[0].Timeline.Should().Contain(line => line.Contains("bootloader.fallback"), string.Join("\n", rollback.Evidence[0].Timeline));
    }

    [Fact]
    public void Rollback_DefaultBootLimit_Passes()
    {
        var scenario = SmallRuns.Load($$"""
              - name: quick-fallback
                release: r2
                rollout: { waves: [100%], fault-monitor: { auto-pause: false } }
                faults: [ { kind: crash-loop, share: 50% } ]
                criteria: { rollback: { min-devices: 100 } }
                {{Expect}}
            """);

        var (evaluation, _, _) = SmallRuns.Run(scenario, _temp.Path);

        evaluation.Release(CriterionIds.Rollback).Verdict.Should().Be(Verdict.Pass, evaluation.Release(CriterionIds.Rollback).Summary);
    }

    [Fact]
    public void Rollback_TooFewFailureDevices_IsInconclusive()
    {
        var scenario = SmallRuns.Load($$"""
              - name: few-failures
                release: r2
                rollout: { waves: [100%], fault-monitor: { auto-pause: false } }
                faults: [ { kind: crash-loop, share: 50% } ]
                {{Expect}}
            """);

        var (evaluation, _, _) = SmallRuns.Run(scenario, _temp.Path);

        var rollback = evaluation.Release(CriterionIds.Rollback);
        rollback.Verdict.Should().Be(Verdict.Inconclusive);
        rollback.Summary.Should().Contain("at least 500 are needed");
    }

    [Fact]
    public void Success_HealthCheckBlindToBadImage_FailsWithCrashingDevices()
    {
        // The health check passes after 1 s, before the bad image crashes at 2 s: devices commit an image that crash-loops.
        var scenario = SmallRuns.Load($$"""
              - name: blind-health-check
                release: r2
                rollout: { waves: [100%], fault-monitor: { auto-pause: false } }
                timing: { health-check: 1s }
                faults: [ { kind: crash-loop, share: 10% } ]
                {{Expect}}
            """);

        var (evaluation, _, _) = SmallRuns.Run(scenario, _temp.Path);

        var success = evaluation.Release(CriterionIds.Success);
        success.Verdict.Should().Be(Verdict.Fail);
        success.Measured.Should().BeApproximately(0.9, 0.01);
        success.Evidence.Should().OnlyContain(device => device.Why == "committed the new version, which then crashed");
        success.Evidence[0].Timeline.Should().Contain(line => line.Contains("committed")).And.Contain(line => line.Contains("device.fault crash"));
    }

    [Fact]
    public void Success_SeveralWaves_ReportsLowestWaveFigure()
    {
        var scenario = SmallRuns.Load($$"""
              - name: two-waves
                release: r2
                rollout: { waves: [10%, 100%], gate: { soak: 10m, success: 0% }, fault-monitor: { auto-pause: false } }
                faults: [ { kind: crash-loop, share: 10% } ]
                {{Expect}}
            """);

        var (evaluation, _, _) = SmallRuns.Run(scenario, _temp.Path);

        var success = evaluation.Release(CriterionIds.Success);
        var waves = evaluation.Results.Where(result => result.Id == CriterionIds.Success && result.Scope.StartsWith("wave ", StringComparison.Ordinal)).ToList();
        waves.Should().HaveCount(2);
        var lowest = waves.MinBy(result => result.Measured)!;
        success.Measured.Should().Be(lowest.Measured);
        success.Sample.Should().Be(lowest.Sample, "the release figure is the lowest wave's, with its own sample");
        success.IntervalLow.Should().Be(lowest.IntervalLow);
        success.IntervalHigh.Should().Be(lowest.IntervalHigh);
        success.Summary.Should().Contain($"{waves.Sum(result => result.Sample)} devices were offered in 2 waves");
    }

    [Fact]
    public void Recovery_PolicyOff_FailsWithUnresolvedIncidents()
    {
        var scenario = SmallRuns.Load($$"""
              - name: no-recovery
                release: r2
                rollout: { waves: [100%], recovery: { enabled: false } }
                faults: [ { kind: corrupt-in-transit, share: 10% } ]
                {{Expect}}
            """);

        var (evaluation, _, _) = SmallRuns.Run(scenario, _temp.Path);

        var recovery = evaluation.Release(CriterionIds.Recovery);
        recovery.Verdict.Should().Be(Verdict.Fail);
        recovery.Measured.Should().Be(0);
        recovery.Sample.Should().Be(30);
        recovery.Evidence.Should().OnlyContain(device => device.Why.Contains("not resolved remotely within 24 h"));
        recovery.Evidence[0].Timeline.Should().Contain(line => line.Contains("failure.detected failed") && line.Contains("image digest mismatch"));
    }

    [Fact]
    public void Recovery_PolicyOn_Passes()
    {
        var scenario = SmallRuns.Load($$"""
              - name: recovery
                release: r2
                rollout: { waves: [100%] }
                faults: [ { kind: corrupt-in-transit, share: 10% } ]
                {{Expect}}
            """);

        var (evaluation, _, _) = SmallRuns.Run(scenario, _temp.Path);

        evaluation.Release(CriterionIds.Recovery).Verdict.Should().Be(Verdict.Pass);
        evaluation.Release(CriterionIds.Recovery).Sample.Should().Be(30);
    }

    [Fact]
    public void Reach_WavesNeverAdvance_FailsWithWaitingDevices()
    {
        var scenario = SmallRuns.Load($$"""
              - name: stuck-waves
                release: r2
                rollout: { waves: [10%, 100%], gate: { soak: 1000h } }
                {{Expect}}
            """);

        var (evaluation, _, _) = SmallRuns.Run(scenario, _temp.Path);

        var reach = evaluation.Release(CriterionIds.Reach);
        reach.Verdict.Should().Be(Verdict.Fail);
        reach.Measured.Should().BeApproximately(0.1, 0.001);
        reach.Sample.Should().Be(300);
        reach.IntervalLow.Should().BeGreaterThan(0.06);
        reach.IntervalHigh.Should().BeLessThan(0.15);
        reach.Evidence.Should().HaveCount(10);
        reach.Evidence.Should().OnlyContain(device => device.Why == "active in the window but not committed on the new version by the deadline");
        evaluation.Release(CriterionIds.Success).Verdict.Should().Be(Verdict.Pass);
    }

    [Fact]
    public void Reach_NominalRun_Passes()
    {
        var scenario = SmallRuns.Load($$"""
              - name: nominal
                release: r2
                rollout: { waves: [10%, 100%], gate: { soak: 10m } }
                {{Expect}}
            """);

        var (evaluation, _, _) = SmallRuns.Run(scenario, _temp.Path);

        evaluation.Release(CriterionIds.Reach).Verdict.Should().Be(Verdict.Pass);
        evaluation.Release(CriterionIds.Success).Verdict.Should().Be(Verdict.Pass);
        evaluation.Release(CriterionIds.Rollback).Verdict.Should().Be(Verdict.Inconclusive);
        evaluation.Release(CriterionIds.RolloutControl).Verdict.Should().Be(Verdict.Pass);
    }
}
