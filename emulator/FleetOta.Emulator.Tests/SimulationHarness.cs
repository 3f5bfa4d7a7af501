using FleetOta.Emulator.Faults;
using FleetOta.Emulator.Fleet;
using FleetOta.Emulator.Simulation;
using FleetOta.Journal;
using FleetOta.Protocol;
using FleetOta.Server;

namespace FleetOta.Emulator.Tests;

/// <summary>Runs small simulations into real SQLite journal files and reads them back.</summary>
internal static class SimulationHarness
{
    public const string NewVersion = "2.0.0";
    public const string OldVersion = "1.0.0";

    /// <summary>A small always-on Ethernet fleet with one wave that offers every device within a minute of the
    /// release start (10 min), for <paramref name="hours"/> hours after it.</summary>
    public static SimulationSpec Small(int devices = 40, int hours = 8, params FaultSpec[] faults) => new()
    {
        Name = "test",
        Seed = 7,
        Fleet = new FleetSpec { Devices = devices, InitialVersion = OldVersion },
        Release = new ReleaseSpec("r2", NewVersion, 2, 16L << 20),
        DurationAfterReleaseMs = hours * 3_600_000L,
        Rollout = new RolloutOptions { Waves = [WaveSpec.Percent(100)], OfferSpreadMs = 60_000 },
        Faults = faults,
    };

    public static JournalData Run(SimulationSpec spec)
    {
        var file = Path.Combine(Path.GetTempPath(), $"fleetota-emulator-test-{Guid.NewGuid():N}.sqlite");
        try
        {
            using (var journal = new SqliteJournalWriter(file))
            {
                var fleet = FleetGenerator.Generate(spec.Fleet, spec.Seed);
                new Simulator(spec, fleet, journal).Run();
            }

            return JournalReader.Read(file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    public static IEnumerable<JournalEntry> Of(this JournalData journal, JournalKind kind) => journal.Entries.Where(e => e.Kind == kind);

    public static IEnumerable<JournalEntry> Of(this JournalData journal, int device) => journal.Entries.Where(e => e.Device == device);

    /// <summary>Devices with a per-device fault.injected entry of the kind.</summary>
    public static int[] Injected(this JournalData journal, FaultKind kind) =>
        journal.Of(JournalKind.FaultInjected).Where(e => e.Device >= 0 && e.Status == kind.ToName()).Select(e => e.Device).Distinct().Order().ToArray();

    public static bool Committed(this JournalData journal, int device) =>
        journal.Of(device).Any(e => e.Kind == JournalKind.Committed && e.Version == NewVersion);

    public static IEnumerable<JournalEntry> Failures(this JournalData journal, int device) =>
        journal.Of(device).Where(e => e.Kind == JournalKind.FailureDetected);
}
