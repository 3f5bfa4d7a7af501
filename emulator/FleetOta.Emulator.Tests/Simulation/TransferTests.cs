using FleetOta.Emulator.Faults;
using FleetOta.Emulator.Fleet;
using FleetOta.Journal;
using static FleetOta.Emulator.Tests.SimulationHarness;

namespace FleetOta.Emulator.Tests.Simulation;

public sealed class TransferTests
{
    /// <summary>A 48 MiB image over LTE (2.5 MB/s, 0.5% loss) with another 10% message loss takes size / bandwidth:
    /// 20.1 s. The loss costs retransmissions (0.5%) and the first byte waits one latency (50..90 ms), so the
    /// tolerance is 2%.</summary>
    [Fact]
    public void Download_OverLossyLte_TakesBandwidthTime()
    {
        const long image = 48L << 20;
        var spec = Small(devices: 20, hours: 2, new FaultSpec(FaultKind.MessageLoss, FaultTarget.All, Rate: 0.1)) with
        {
            Fleet = new FleetSpec { Devices = 20, InitialVersion = OldVersion, Networks = [new(NetworkProfile.Lte, 1)] },
        };
        spec = spec with { Release = spec.Release with { ImageBytes = image } };
        var journal = Run(spec);
        var nominal = image * 1000.0 / NetworkProfile.Lte.BytesPerSecond;

        var measured = 0;
        for (var device = 0; device < 20; device++)
        {
            var events = journal.Of(device).Where(e => e.Kind is JournalKind.DownloadStarted or JournalKind.DownloadCompleted or JournalKind.DownloadInterrupted).ToList();
            if (events.Count != 2 || events[0].Kind != JournalKind.DownloadStarted || events[1].Kind != JournalKind.DownloadCompleted)
            {
                continue;
            }

            measured++;
            events[1].Value.Should().Be(image);
            ((double)(events[1].TimeMs - events[0].TimeMs)).Should().BeApproximately(nominal, nominal * 0.02, $"device {device}");
        }

        measured.Should().BeGreaterThan(15);
    }

    [Fact]
    public void Download_WithResets_ResumesAndCompletes()
    {
        var journal = Run(Small(devices: 10, hours: 4, new FaultSpec(FaultKind.ConnectionReset, FaultTarget.All, Rate: 0.5)));

        for (var device = 0; device < 10; device++)
        {
            var starts = journal.Of(device).Where(e => e.Kind == JournalKind.DownloadStarted).ToList();
            var stored = journal.Of(device).Where(e => e.Kind == JournalKind.DownloadInterrupted).Select(e => e.Value).ToList();
            starts.Skip(1).Select(e => e.Value).Should().Equal(stored.Take(starts.Count - 1), "each resume starts at the bytes stored before the reset");
        }
    }
}
