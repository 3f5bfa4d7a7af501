using FleetOta.Emulator.Faults;
using FleetOta.Emulator.Live.Running;
using FleetOta.Journal;
using FleetOta.Scenarios.Oracles;
using Xunit.Abstractions;

namespace FleetOta.Emulator.Live.Tests.Live;

/// <summary>1,000 live agents through a release with 5% power cuts (half during the download, half during the slot
/// write), 5% corrupted transfers (the corrupting HTTP proxy) and 10% message loss (the MQTT proxy's loss windows),
/// once per broker.</summary>
[Collection(LiveCollection.Name)]
public sealed class LiveFaultRunTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "fleetota-live-" + Path.GetRandomFileName());

    private static readonly FaultSpec[] Faults =
    [
        new(FaultKind.PowerCut, new FaultTarget(Share: 0.025), Step: PowerCutStep.Download, DurationMs: 30_000),
        new(FaultKind.PowerCut, new FaultTarget(Share: 0.025), Step: PowerCutStep.WriteSlot, DurationMs: 30_000),
        new(FaultKind.CorruptInTransit, new FaultTarget(Share: 0.05)),
        new(FaultKind.MessageLoss, new FaultTarget(Share: 1.0), Rate: 0.10),
    ];

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public Task RunAsync_ThousandAgentsWithFaultsOnEmbeddedBroker_JudgesEveryCriterion() => RunThousandAsync("embedded");

    [MosquittoFact]
    public async Task RunAsync_ThousandAgentsWithFaultsOnMosquitto_JudgesEveryCriterion()
    {
        await using var mosquitto = await Mosquitto.StartAsync();
        await RunThousandAsync(mosquitto.Url);
    }

    private async Task RunThousandAsync(string broker)
    {
        // A time factor of 60 keeps a moment of CPU contention from turning into many virtual minutes.
        var spec = LiveScenarios.Small(1_000, seed: 11, durationAfterReleaseMs: 30 * 60_000, Faults);
        using var loggers = LiveScenarios.Loggers();

        var result = await LiveRunner.RunAsync(new LiveRunOptions { Spec = spec, OutputDirectory = _folder, TimeFactor = 60, Broker = broker }, loggers);

        var journal = JournalReader.Read(result.JournalPath);
        var evaluation = GateEvaluation.Evaluate(journal, LiveScenarios.Criteria);
        foreach (var criterion in evaluation.Results)
        {
            output.WriteLine($"{criterion.Id} {criterion.Scope}: {criterion.Verdict} ({criterion.Summary})");
        }

        evaluation.Results.Select(r => r.Id).Should().Contain(["reach", "success", "rollback", "recovery", "rollout-control"]);
        evaluation.Results.Should().OnlyContain(r => Enum.IsDefined(r.Verdict));

        var committed = journal.Entries.Where(e => e.Kind == JournalKind.Committed && e.Version == "2.0.0").Select(e => e.Device).Distinct().Count();
        output.WriteLine($"committed: {committed}");
        committed.Should().BeGreaterThan(800, "power cuts, corrupt transfers and lost messages delay devices but the retries bring most through");

        journal.Entries.Count(e => e.Kind == JournalKind.SlotWritten && e.Detail == "torn by power cut")
            .Should().BeGreaterThan(12, "2.5% of 1,000 devices lose power in the middle of the slot write");
        journal.Entries.Count(e => e.Kind == JournalKind.DownloadStarted && e.Value > 0)
            .Should().BeGreaterThan(5, "2.5% of 1,000 devices lose power during the download, and those past a progress mark resume with a Range request");
        journal.Entries.Count(e => e.Kind == JournalKind.FailureDetected && e.Detail == "image digest mismatch")
            .Should().BeGreaterThan(25, "the real SHA-256 of a transfer through the corrupting proxy does not match");

        var sent = journal.Entries.Count(e => e.Kind == JournalKind.MessageSent && e.Actor == "device");
        var delivered = journal.Entries.Count(e => e.Kind == JournalKind.MessageDelivered && e.Actor == "server");
        output.WriteLine($"device messages sent {sent}, delivered {delivered}");
        (1.0 - (double)delivered / sent).Should().BeInRange(0.03, 0.3, "about 10% of the messages fall into the proxy's loss windows");
    }
}

/// <summary>Live runs share the two cores, so they run one after the other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LiveCollection
{
    public const string Name = "live runs";
}
