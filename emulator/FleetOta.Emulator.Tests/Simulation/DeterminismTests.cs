using FleetOta.Emulator.Faults;
using FleetOta.Emulator.Fleet;
using FleetOta.Emulator.Simulation;
using FleetOta.Journal;
using Microsoft.Data.Sqlite;

namespace FleetOta.Emulator.Tests.Simulation;

public sealed class DeterminismTests
{
    /// <summary>A mixed fleet with faults of every family, so that every random stream is drawn from.</summary>
    private static SimulationSpec Mixed(long seed) => SimulationHarness.Small(devices: 300, hours: 12,
            new FaultSpec(FaultKind.MessageLoss, new FaultTarget(Share: 0.2), Rate: 0.1),
            new FaultSpec(FaultKind.ConnectionReset, new FaultTarget(Share: 0.1)),
            new FaultSpec(FaultKind.PowerCut, new FaultTarget(Share: 0.05), Step: PowerCutStep.WriteSlot),
            new FaultSpec(FaultKind.CorruptInTransit, new FaultTarget(Share: 0.05)),
            new FaultSpec(FaultKind.Partition, new FaultTarget(Share: 0.1), AtMs: 30 * 60_000, DurationMs: 20 * 60_000))
        with
        {
            Seed = seed,
            Fleet = new FleetSpec
            {
                Devices = 300,
                InitialVersion = SimulationHarness.OldVersion,
                Networks = [new(NetworkProfile.Ethernet, 1), new(NetworkProfile.Lte, 1), new(NetworkProfile.Satellite, 1)],
                Connectivity = [new(ConnectivityPattern.AlwaysOn, 2), new(ConnectivityPattern.Intermittent(3_600_000, 1_800_000), 1)],
                Power = [new(PowerPattern.Mains, 3), new(PowerPattern.Unstable(4 * 3_600_000L, 120_000), 1)],
            },
        };

    [Fact]
    public void Run_SameSeed_WritesIdenticalEventRows()
    {
        var first = EventRows(Mixed(11));
        var second = EventRows(Mixed(11));

        first.Should().HaveCountGreaterThan(10_000);
        second.Should().Equal(first);
    }

    [Fact]
    public void Run_OtherSeed_WritesOtherEventRows()
    {
        var first = EventRows(Mixed(11));
        var other = EventRows(Mixed(12));

        other.Should().NotEqual(first);
    }

    [Fact]
    public void Generate_SameSeed_GivesSameFleet()
    {
        var spec = Mixed(11).Fleet;

        FleetGenerator.Generate(spec, 11).Should().Equal(FleetGenerator.Generate(spec, 11));
        FleetGenerator.Generate(spec, 12).Should().NotEqual(FleetGenerator.Generate(spec, 11));
    }

    /// <summary>Runs the spec into a SQLite file and returns every events row as text, in (time, sequence) order.</summary>
    private static List<string> EventRows(SimulationSpec spec)
    {
        var file = Path.Combine(Path.GetTempPath(), $"fleetota-determinism-{Guid.NewGuid():N}.sqlite");
        try
        {
            using (var journal = new SqliteJournalWriter(file))
            {
                new Simulator(spec, FleetGenerator.Generate(spec.Fleet, spec.Seed), journal).Run();
            }

            var rows = new List<string>();
            using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT seq, t_ms, kind, device, release, version, status, detail, value, actor FROM events ORDER BY t_ms, seq";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var values = new object[reader.FieldCount];
                reader.GetValues(values);
                rows.Add(string.Join('|', values.Select(value => value is DBNull ? "NULL" : Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture))));
            }

            return rows;
        }
        finally
        {
            File.Delete(file);
        }
    }
}
