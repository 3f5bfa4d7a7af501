using FleetOta.Emulator.Fleet;
using FleetOta.Emulator.Simulation;
using FleetOta.Journal;
using static FleetOta.Emulator.Tests.SimulationHarness;

namespace FleetOta.Emulator.Tests.Fleet;

public sealed class PowerPatternTests
{
    private const long Hour = 3_600_000;

    [Fact]
    public void NightlyOff_CutsPowerAtLocalHour_ForOffHours()
    {
        var spec = Fleet(PowerPattern.Nightly(22, 8), devices: 50);
        var journal = Run(spec);
        var fleet = FleetGenerator.Generate(spec.Fleet, spec.Seed);

        foreach (var device in fleet)
        {
            var cuts = journal.Of(device.Id).Where(e => e.Kind == JournalKind.PowerCut).ToList();
            cuts.Should().HaveCountGreaterThanOrEqualTo(2, $"device {device.Id} sees two nights in 48 h");
            foreach (var cut in cuts)
            {
                cut.Status.Should().Be("nightly-off");
                var localHour = (cut.TimeMs + device.UtcOffsetMinutes * 60_000L + 7 * 24 * Hour) % (24 * Hour);
                localHour.Should().Be(22 * Hour, $"device {device.Id} in {device.TimeZone} switches off at 22:00 local time");
                if (cut.TimeMs + 8 * Hour <= journal.RunNumber("end_ms"))
                {
                    journal.Of(device.Id).Should().Contain(e => e.Kind == JournalKind.PowerRestore && e.TimeMs == cut.TimeMs + 8 * Hour);
                }
            }
        }
    }

    [Fact]
    public void Unstable_CutsPowerAtMeanRate_DevicesStillUpdate()
    {
        var journal = Run(Fleet(PowerPattern.Unstable(4 * Hour, 60_000), devices: 200));

        // The run lasts 48 h 10 min with one outage per 4 h on average, about 12 per device and 2,400 in all.
        // The range of -25% to +25% covers chance.
        var cuts = journal.Of(JournalKind.PowerCut).Where(e => e.Status == "unstable").ToList();
        cuts.Count.Should().BeInRange(1_800, 3_000);
        cuts.Average(e => e.Value).Should().BeApproximately(60_000, 12_000);
        Enumerable.Range(0, 200).Count(journal.Committed).Should().BeGreaterThan(190);
    }

    private static SimulationSpec Fleet(PowerPattern pattern, int devices) => Small(devices, hours: 48) with
    {
        Fleet = new FleetSpec { Devices = devices, InitialVersion = OldVersion, Power = [new(pattern, 1)] },
    };
}
