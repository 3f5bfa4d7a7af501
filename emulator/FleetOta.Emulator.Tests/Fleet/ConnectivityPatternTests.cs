using FleetOta.Emulator.Fleet;
using FleetOta.Emulator.Simulation;
using FleetOta.Journal;
using static FleetOta.Emulator.Tests.SimulationHarness;

namespace FleetOta.Emulator.Tests.Fleet;

/// <summary>Each connectivity pattern keeps devices online for the share of 48 h that its parameters imply. The
/// share is measured from the device.online and device.offline entries between the release start and the run end.</summary>
public sealed class ConnectivityPatternTests
{
    private const long Hour = 3_600_000;

    [Theory]
    [InlineData("always-on", 1.0, 0.0)]
    [InlineData("never", 0.0, 0.0)]
    // Mean online 2 h, offline 1 h: 2/3 online. 300 devices over 48 h give about 5,000 periods; tolerance 0.03.
    [InlineData("intermittent", 2.0 / 3.0, 0.03)]
    // Mean online 15 min, offline 24 h: 0.0103 online; few periods per device, so tolerance 0.004 (about 40%).
    [InlineData("rare", 0.25 / 24.25, 0.004)]
    public void Pattern_Over48Hours_GivesImpliedOnlineShare(string name, double expected, double tolerance)
    {
        var pattern = name switch
        {
            "always-on" => ConnectivityPattern.AlwaysOn,
            "never" => ConnectivityPattern.Never,
            "intermittent" => ConnectivityPattern.Intermittent(2 * Hour, Hour),
            _ => ConnectivityPattern.Rare(),
        };
        var devices = name == "rare" ? 1_000 : 300;
        var journal = Run(Fleet(pattern, devices));

        var shares = OnlineShares(journal);

        shares.Average().Should().BeApproximately(expected, tolerance);
        pattern.ExpectedOnlineShare.Should().BeApproximately(expected, 1e-9);
    }

    [Fact]
    public void BusinessHours_Over48Hours_FollowsSiteTimeZone()
    {
        var journal = Run(Fleet(ConnectivityPattern.BusinessHours, 200));
        var shares = OnlineShares(journal);
        var fleet = FleetGenerator.Generate(Fleet(ConnectivityPattern.BusinessHours, 200).Fleet, 7);

        for (var d = 0; d < fleet.Count; d++)
        {
            // The expected share is counted minute by minute, independently of the simulator's link changes.
            // Every site offset is a whole number of minutes, so the tolerance covers only rounding.
            shares[d].Should().BeApproximately(BusinessShareByMinute(fleet[d].UtcOffsetMinutes), 0.001, $"device {d} in {fleet[d].TimeZone}");
        }

        fleet.Select(device => device.UtcOffsetMinutes).Distinct().Should().HaveCountGreaterThan(3);
    }

    private static SimulationSpec Fleet(ConnectivityPattern pattern, int devices) => Small(devices, hours: 48) with
    {
        Fleet = new FleetSpec { Devices = devices, InitialVersion = OldVersion, Connectivity = [new(pattern, 1)] },
    };

    /// <summary>Online share of each device in [release start, run end].</summary>
    private static double[] OnlineShares(JournalData journal)
    {
        var start = journal.RunNumber("release_at_ms");
        var end = journal.RunNumber("end_ms");
        var shares = new double[journal.Devices.Count];
        var up = new bool[journal.Devices.Count];
        var since = new long[journal.Devices.Count];
        foreach (var entry in journal.Entries.Where(e => e.Kind is JournalKind.DeviceOnline or JournalKind.DeviceOffline))
        {
            var d = entry.Device;
            var time = Math.Clamp(entry.TimeMs, start, end);
            if (up[d])
            {
                shares[d] += time - Math.Max(since[d], start);
            }

            up[d] = entry.Kind == JournalKind.DeviceOnline;
            since[d] = time;
        }

        for (var d = 0; d < shares.Length; d++)
        {
            if (up[d])
            {
                shares[d] += end - Math.Max(since[d], start);
            }

            shares[d] /= end - start;
        }

        return shares;
    }

    /// <summary>Share of minutes in [10 min, 48 h 10 min] after Monday 00:00 UTC that fall on a weekday between 08:00 and
    /// 18:00 local time.</summary>
    private static double BusinessShareByMinute(int utcOffsetMinutes)
    {
        var online = 0;
        var total = 0;
        for (var minute = 10; minute < 48 * 60 + 10; minute++)
        {
            var local = minute + utcOffsetMinutes + 7 * 24 * 60;
            var day = local / (24 * 60) % 7;
            var hour = local / 60 % 24;
            total++;
            if (day < 5 && hour is >= 8 and < 18)
            {
                online++;
            }
        }

        return (double)online / total;
    }
}
