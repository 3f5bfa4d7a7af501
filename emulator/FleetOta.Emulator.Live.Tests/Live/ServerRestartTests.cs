using FleetOta.Emulator.Faults;
using FleetOta.Emulator.Live.Running;
using FleetOta.Journal;
using Xunit.Abstractions;

namespace FleetOta.Emulator.Live.Tests.Live;

/// <summary>A restart of the reference server (and its embedded broker) in the middle of a live rollout: the controller
/// restores its state from its SQLite store, devices reconnect, and no device is lost or offered twice.</summary>
[Collection(LiveCollection.Name)]
public sealed class ServerRestartTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "fleetota-restart-" + Path.GetRandomFileName());

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task RunAsync_ServerRestartMidRollout_LosesNothing()
    {
        var restart = new FaultSpec(FaultKind.ControllerRestart, FaultTarget.All, AtMs: 9 * 60_000, DurationMs: 60_000);
        var spec = LiveScenarios.Small(200, seed: 31, restart);
        using var loggers = LiveScenarios.Loggers();

        var result = await LiveRunner.RunAsync(new LiveRunOptions { Spec = spec, OutputDirectory = _folder, TimeFactor = 120 }, loggers);

        var journal = JournalReader.Read(result.JournalPath);
        var outage = journal.Entries.Where(e => e.Kind == JournalKind.ServerRestart && e.Actor == "emulator").ToList();
        outage.Select(e => e.Status).Should().Equal("down", "up");
        var restartAt = outage[0].TimeMs;
        var offeredBefore = journal.Entries.Count(e => e.Kind == JournalKind.DeviceOffered && e.TimeMs < restartAt);
        output.WriteLine($"restart at {restartAt} ms, {offeredBefore} devices offered before it");
        offeredBefore.Should().BeGreaterThan(0, "the restart must fall in the middle of the rollout");

        var committed = journal.Entries.Where(e => e.Kind == JournalKind.Committed && e.Version == "2.0.0").Select(e => e.Device).Distinct().Count();
        committed.Should().Be(200, "a restart loses no device");
        // NOTE: the server's outbox carries the outputs of a decision again after a restart if the stop came between
        // journaling them and marking them done, so the same record can appear twice with its original time. A second
        // decision would have a later time; that is what this check rejects.
        var offers = journal.Entries.Where(e => e.Kind == JournalKind.DeviceOffered).GroupBy(e => e.Device).ToList();
        output.WriteLine($"{offers.Count(group => group.Count() > 1)} devices have a repeated offer record");
        offers.Should().OnlyContain(group => group.Select(e => e.TimeMs).Distinct().Count() == 1, "the restored controller decides no offer twice");
        journal.Entries.Count(e => e.Kind == JournalKind.WaveStarted).Should().Be(2, "no wave starts twice");
    }
}
