using FleetOta.Emulator.Fleet;
using FleetOta.Emulator.Simulation;

namespace FleetOta.Emulator.Faults;

/// <summary>Resolves a fault plan to the devices each entry hits. The choice depends only on the seed, the entry's
/// position in the plan and the fleet, so the same plan hits the same devices on every run.</summary>
public static class FaultAssignment
{
    /// <summary>Returns, for each plan entry, the devices it hits in ascending order (empty for server-side kinds).</summary>
    public static int[][] Resolve(IReadOnlyList<FaultSpec> plan, IReadOnlyList<DeviceProfile> fleet, long seed)
    {
        var result = new int[plan.Count][];
        for (var i = 0; i < plan.Count; i++)
        {
            var spec = plan[i];
            if (spec.Kind.IsServerSide())
            {
                result[i] = [];
                continue;
            }

            var matching = fleet.Where(spec.Target.Matches).Select(device => device.Id).ToArray();
            var wanted = spec.Target.Count is { } count
                ? Math.Min(count, matching.Length)
                : (int)Math.Round((spec.Target.Share ?? 1.0) * matching.Length);
            var random = new SimRandom(seed, 1_000_003L * (i + 1));
            // Partial Fisher-Yates shuffle: the first `wanted` entries are a uniform sample.
            for (var k = 0; k < wanted; k++)
            {
                var j = k + (int)random.NextLong(matching.Length - k);
                (matching[k], matching[j]) = (matching[j], matching[k]);
            }

            result[i] = matching.Take(wanted).Order().ToArray();
        }

        return result;
    }
}

/// <summary>The faults aimed at one device, with their plan entries. Most devices have none and share
/// <see cref="None"/>.</summary>
public sealed class DeviceFaults
{
    public static readonly DeviceFaults None = new();

    public List<FaultSpec> Entries { get; } = [];

    /// <summary>Remaining occurrences of step-aimed power cuts and of per-transfer image faults, by plan entry.</summary>
    public Dictionary<FaultSpec, int> Remaining { get; } = new(ReferenceEqualityComparer.Instance);

    public FaultSpec? Find(FaultKind kind)
    {
        foreach (var entry in Entries)
        {
            if (entry.Kind == kind)
            {
                return entry;
            }
        }

        return null;
    }

    /// <summary>Takes one occurrence of a counted fault; returns the entry if one was left.</summary>
    public FaultSpec? Take(FaultKind kind, PowerCutStep? step = null)
    {
        foreach (var entry in Entries)
        {
            if (entry.Kind != kind || (step is not null && entry.Step != step))
            {
                continue;
            }

            var left = Remaining.GetValueOrDefault(entry, entry.Repeat);
            if (left > 0)
            {
                Remaining[entry] = left - 1;
                return entry;
            }
        }

        return null;
    }
}
