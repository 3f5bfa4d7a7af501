using CsCheck;
using FleetOta.Server.Persistence;
using FleetOta.Server.Tests.Support;

namespace FleetOta.Server.Tests;

public sealed class RestartTests : IDisposable
{
    private const int Devices = 40;
    private const long RunMs = 8 * 3_600_000L;

    private readonly string _directory = Directory.CreateTempSubdirectory("fleetota-restart-").FullName;

    public static RolloutOptions Options(bool paced) => new()
    {
        Waves = [WaveSpec.Percent(10), WaveSpec.Percent(50), WaveSpec.Percent(100)],
        OfferSpreadMs = 5 * 60_000,
        OfferRate = paced ? new OfferRateOptions { StartPerMinute = 2, SuccessesPerStep = 4, MaxPerMinute = 20 } : null,
        MaxConcurrentDownloads = new DeviceQuota(null, 6),
        GateSoakMs = 10 * 60_000,
        GateSuccessShare = 0.5,
        SilentAfterUpdateMs = 10 * 60_000,
        FaultMonitor = new FaultMonitorOptions { Limit = 0.08, MinimumSample = 10, WindowMs = 30 * 60_000 },
        Recovery = new RecoveryPolicyOptions { RetryDelayMs = 5 * 60_000 },
        Seed = 42,
    };

    private static DeviceBehaviour Behaviour(int device) => (device % 10) switch
    {
        1 => DeviceBehaviour.FailFirstDownload,
        2 when device < 20 => DeviceBehaviour.FaultAfterUpdate,
        3 when device < 15 => DeviceBehaviour.SilentAfterReboot,
        4 when device > 30 => DeviceBehaviour.Offline,
        _ => DeviceBehaviour.Good,
    };

    [Fact]
    public void Restart_AtAnyStep_EndsInSameStates()
    {
        var baselines = new[] { Baseline(paced: false), Baseline(paced: true) };
        baselines[0].Steps.Should().BeGreaterThan(100, "the run must have enough steps to restart in");
        baselines[0].Outputs.OfType<RaiseAlert>().Should().NotBeEmpty("the run should breach, so the monitor state is restored too");

        // Each run restarts after step `first` and then every `period` steps, so one run tries many restart points.
        // A period beyond the run's length makes it a single restart.
        Gen.Select(Gen.Bool, Gen.Int[0, 10_000], Gen.Int[1, 2_000]).Sample((paced, pick, period) =>
        {
            var baseline = baselines[paced ? 1 : 0];
            var first = pick % baseline.Steps;
            var restarted = RunWithRestarts(paced, step => step >= first && (step - first) % period == 0);
            var what = $"restarts after step {first} and every {period} steps after it (paced: {paced})";
            restarted.Devices.Should().Equal(baseline.Devices, $"{what} must not change device states");
            restarted.Outputs.Select(Describe).Should().Equal(baseline.Outputs.Select(Describe), $"{what} must not change the outputs");
            restarted.Phase.Should().Be(baseline.Phase);
        }, iter: 24, threads: 1);
    }

    [Fact]
    public void Restart_BeforeMarkDone_ReturnsPendingOutputsOnce()
    {
        var path = Path.Combine(_directory, "pending.db");
        var fleet = new FleetModel(Devices, Behaviour);
        IReadOnlyList<OutboxItem> committed;
        using (var store = SqliteControllerStore.Open(path))
        {
            var controller = store.LoadOrCreate(Options(paced: false), Devices);
            var outputs = new List<ControllerOutput>();
            controller.Handle(TestReleases.Deployment(Devices), 0, outputs);
            committed = store.Commit(controller.TakeChanges(), outputs);
        }

        using (var reopened = SqliteControllerStore.Open(path))
        {
            var pending = reopened.PendingOutputs();
            pending.Select(item => item.Id).Should().Equal(committed.Select(item => item.Id));
            pending.Select(item => Describe(item.Output)).Should().Equal(committed.Select(item => Describe(item.Output)));
            reopened.MarkDone(pending.Select(item => item.Id));
        }

        using var third = SqliteControllerStore.Open(path);
        third.PendingOutputs().Should().BeEmpty("outputs marked done are not carried out again");
        third.LoadOrCreate(Options(paced: false), Devices).Phase.Should().Be(RolloutPhase.Running);
        _ = fleet;
    }

    [Fact]
    public void Restore_WithOtherSeed_Throws()
    {
        var path = Path.Combine(_directory, "seed.db");
        using (var store = SqliteControllerStore.Open(path))
        {
            store.LoadOrCreate(Options(paced: false), Devices);
        }

        using var reopened = SqliteControllerStore.Open(path);
        var restore = () => reopened.LoadOrCreate(Options(paced: false) with { Seed = 7 }, Devices);

        restore.Should().Throw<ArgumentException>().WithMessage("*seed 42*seed 7*");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private sealed record RunResult(IReadOnlyList<DeviceSnapshot> Devices, List<ControllerOutput> Outputs, int Steps, RolloutPhase Phase);

    private static RunResult Baseline(bool paced)
    {
        var fleet = new FleetModel(Devices, Behaviour);
        var log = new List<ControllerOutput>();
        var controller = ControllerRun.Start(Options(paced), Devices, fleet, log: log);
        fleet.Run(controller, RunMs, log.AddRange);
        return new RunResult(controller.Snapshot().Devices, log, fleet.Steps, controller.Phase);
    }

    /// <summary>Runs the same rollout through the SQLite store, committing after every step, and after each step that
    /// <paramref name="restartAfter"/> selects closes the store and restores the controller from the file.</summary>
    private RunResult RunWithRestarts(bool paced, Func<int, bool> restartAfter)
    {
        var path = Path.Combine(_directory, $"run-{Guid.CreateVersion7():N}.db");
        var fleet = new FleetModel(Devices, Behaviour);
        var log = new List<ControllerOutput>();
        // The process restarts, the machine does not, so the store need not wait for the disk on every commit.
        var store = SqliteControllerStore.Open(path, flushEveryCommit: false);
        try
        {
            var controller = store.LoadOrCreate(Options(paced), Devices);
            var outputs = new List<ControllerOutput>();
            controller.Handle(TestReleases.Deployment(Devices), 0, outputs);
            CommitAndCarryOut(store, controller, outputs, fleet, log);
            while (fleet.Step(controller, RunMs, outputs))
            {
                CommitAndCarryOut(store, controller, outputs, fleet, log, reactDone: true);
                if (restartAfter(fleet.Steps))
                {
                    store.Dispose();
                    store = SqliteControllerStore.Open(path, flushEveryCommit: false);
                    controller = store.LoadOrCreate(Options(paced), Devices);
                    store.PendingOutputs().Should().BeEmpty();
                }
            }

            return new RunResult(controller.Snapshot().Devices, log, fleet.Steps, controller.Phase);
        }
        finally
        {
            store.Dispose();
        }
    }

    private static void CommitAndCarryOut(SqliteControllerStore store, RolloutController controller, List<ControllerOutput> outputs,
        FleetModel fleet, List<ControllerOutput> log, bool reactDone = false)
    {
        var items = store.Commit(controller.TakeChanges(), outputs);
        if (!reactDone)
        {
            fleet.React(outputs);
        }

        log.AddRange(outputs);
        store.MarkDone(items.Select(item => item.Id));
    }

    private static string Describe(ControllerOutput output) => output switch
    {
        SendToDevice send => $"send {send.Message.Type} {send.Message.DeviceId} {(send.Message as FleetOta.Protocol.DeviceCommand)?.Kind}",
        Record record => record.Entry.ToString(),
        RaiseAlert alert => alert.Alert with { Message = alert.Alert.Message } is var a ? $"alert {a.Id} {a.BreachAtMs} {a.Rate}" : "",
        _ => output.ToString() ?? "",
    };
}
