using Bogus;

namespace FleetOta.Emulator.Fleet;

/// <summary>Generates a fleet from a spec with Bogus, seeded: the same spec and seed give the same fleet.</summary>
public static class FleetGenerator
{
    private static readonly (string Zone, int OffsetMinutes)[] TimeZones =
    [
        ("Europe/Berlin", 60), ("Europe/London", 0), ("America/New_York", -300), ("America/Chicago", -360),
        ("America/Los_Angeles", -480), ("Asia/Tokyo", 540), ("Asia/Kolkata", 330), ("Australia/Sydney", 600),
        ("America/Sao_Paulo", -180), ("Africa/Johannesburg", 120),
    ];

    public static IReadOnlyList<DeviceProfile> Generate(FleetSpec spec, long seed)
    {
        if (spec.Devices < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(spec), spec.Devices, "A fleet needs at least one device.");
        }

        var faker = new Faker("en") { Random = new Randomizer(unchecked((int)(seed ^ (seed >> 32)))) };
        var sites = GenerateSites(faker, spec.Customers);
        var hardware = Cumulative(spec.Hardware);
        var networks = Cumulative(spec.Networks);
        var connectivity = Cumulative(spec.Connectivity);
        var power = Cumulative(spec.Power);
        foreach (var share in spec.Connectivity)
        {
            share.Value.Validate();
        }

        foreach (var share in spec.Power)
        {
            share.Value.Validate();
        }

        var devices = new DeviceProfile[spec.Devices];
        for (var id = 0; id < spec.Devices; id++)
        {
            var site = sites[faker.Random.Int(0, sites.Count - 1)];
            devices[id] = new DeviceProfile(
                id,
                $"dev-{id:D7}",
                Pick(hardware, faker.Random.Double()),
                Pick(networks, faker.Random.Double()),
                Pick(connectivity, faker.Random.Double()),
                site.Customer,
                site.Name,
                site.Zone,
                site.OffsetMinutes,
                spec.StorageBytes,
                faker.Random.Long(-120_000, 120_000))
            {
                // A single pattern draws nothing, so fleets without power patterns keep the devices they had.
                Power = power.Length == 1 ? power[0].Value : Pick(power, faker.Random.Double()),
            };
        }

        return devices;
    }

    private sealed record Site(string Customer, string Name, string Zone, int OffsetMinutes);

    private static List<Site> GenerateSites(Faker faker, int customers)
    {
        var sites = new List<Site>();
        for (var c = 0; c < Math.Max(customers, 1); c++)
        {
            var customer = faker.Company.CompanyName();
            var siteCount = faker.Random.Int(1, 4);
            for (var s = 0; s < siteCount; s++)
            {
                var (zone, offset) = TimeZones[faker.Random.Int(0, TimeZones.Length - 1)];
                sites.Add(new Site(customer, $"{faker.Address.City()} {s + 1}", zone, offset));
            }
        }

        return sites;
    }

    private static (T Value, double Upper)[] Cumulative<T>(IReadOnlyList<Share<T>> shares)
    {
        var total = shares.Sum(share => share.Weight);
        if (shares.Count == 0 || total <= 0)
        {
            throw new ArgumentException("A fleet composition needs at least one entry with a positive share.", nameof(shares));
        }

        var result = new (T, double)[shares.Count];
        var running = 0.0;
        for (var i = 0; i < shares.Count; i++)
        {
            running += shares[i].Weight / total;
            result[i] = (shares[i].Value, i == shares.Count - 1 ? 1.0 : running);
        }

        return result;
    }

    private static T Pick<T>((T Value, double Upper)[] cumulative, double draw)
    {
        foreach (var (value, upper) in cumulative)
        {
            if (draw < upper)
            {
                return value;
            }
        }

        return cumulative[^1].Value;
    }
}
