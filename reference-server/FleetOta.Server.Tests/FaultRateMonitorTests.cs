using CsCheck;

namespace FleetOta.Server.Tests;

public class FaultRateMonitorTests
{
    private enum EventKind
    {
        Activation,
        Fault,
        Query,
    }

    [Fact]
    public void Advance_RandomStreams_MatchesBruteForce()
    {
        var events = Gen.Select(Gen.Long[0, 20_000], Gen.Enum<EventKind>(), Gen.Int[0, 15]).Array[1, 150];
        Gen.Select(events, Gen.Long[1, 8_000]).Sample((stream, windowMs) =>
        {
            // Events at one time all count at that time, so queries run after the other events of their time.
            var ordered = stream.OrderBy(e => e.Item1).ThenBy(e => e.Item2 == EventKind.Query ? 1 : 0).ToArray();
            var monitor = new FaultRateMonitor(windowMs);
            for (var i = 0; i < ordered.Length; i++)
            {
                var (timeMs, kind, device) = ordered[i];
                switch (kind)
                {
                    case EventKind.Activation:
                        monitor.RecordActivation();
                        break;
                    case EventKind.Fault:
                        monitor.RecordFault(timeMs, device);
                        break;
                    case EventKind.Query:
                        var rate = monitor.Advance(timeMs);
                        var expected = BruteForceRate(ordered.Take(i), timeMs, windowMs);
                        if (rate != expected.Rate || monitor.FaultyDevices != expected.Faulty)
                        {
                            return false;
                        }

                        break;
                }
            }

            return true;
        }, iter: 2_000);
    }

    [Fact]
    public void Advance_FaultOnWindowEdge_IsOutside()
    {
        var monitor = new FaultRateMonitor(1_000);
        monitor.RecordActivation();
        monitor.RecordFault(500, device: 1);

        monitor.Advance(1_499).Should().Be(1.0);
        monitor.Advance(1_500).Should().Be(0.0);
    }

    [Fact]
    public void Advance_SameDeviceTwice_CountsOnce()
    {
        var monitor = new FaultRateMonitor(1_000);
        monitor.RecordActivation();
        monitor.RecordActivation();
        monitor.RecordFault(100, device: 7);
        monitor.RecordFault(200, device: 7);

        monitor.Advance(300).Should().Be(0.5);
        monitor.Advance(1_150).Should().Be(0.5, "the second fault at 200 ms is still inside (150, 1150]");
        monitor.Advance(1_200).Should().Be(0.0);
    }

    [Fact]
    public void RecordFault_EarlierThanLast_Throws()
    {
        var monitor = new FaultRateMonitor(1_000);
        monitor.RecordFault(500, device: 1);

        var record = () => monitor.RecordFault(400, device: 2);

        record.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*time order*");
    }

    /// <summary>Computes the rate at t from the definition: distinct devices with a fault in (t - window, t] over the
    /// activations at or before t.</summary>
    private static (double Rate, int Faulty) BruteForceRate(IEnumerable<(long TimeMs, EventKind Kind, int Device)> before, long t, long windowMs)
    {
        var list = before.ToList();
        var activated = list.Count(e => e.Kind == EventKind.Activation && e.TimeMs <= t);
        var faulty = list.Where(e => e.Kind == EventKind.Fault && e.TimeMs > t - windowMs && e.TimeMs <= t).Select(e => e.Device).Distinct().Count();
        return (activated == 0 ? 0 : (double)faulty / activated, faulty);
    }
}
