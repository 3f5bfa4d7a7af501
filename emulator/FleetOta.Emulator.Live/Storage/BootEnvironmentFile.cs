using System.Globalization;
using System.Text;
using FleetOta.Agent;
using FleetOta.Protocol;

namespace FleetOta.Emulator.Live.Storage;

/// <summary>The text format of one copy of the bootloader environment: a generation number, the fields of
/// <see cref="BootEnvironment"/> and a check value over them, on one line. A copy whose check value does not
/// match (a torn write) is invalid, and a reader ignores it.</summary>
internal static class BootEnvironmentFile
{
    /// <summary>Returns the bytes of one copy.</summary>
    public static byte[] Format(BootEnvironment environment, long generation)
    {
        var body = string.Create(CultureInfo.InvariantCulture,
            $"gen={generation} active={environment.Active} trial={(environment.Trial ? 1 : 0)} count={environment.BootCount} limit={environment.BootLimit} fell-back={(environment.FellBack ? 1 : 0)}");
        return Encoding.ASCII.GetBytes($"{body} check={Check(body)}\n");
    }

    /// <summary>Parses one copy; returns false for a missing, torn or otherwise invalid copy.</summary>
    public static bool TryParse(byte[] bytes, out BootEnvironment environment, out long generation)
    {
        environment = default;
        generation = -1;
        var text = Encoding.ASCII.GetString(bytes).TrimEnd('\n');
        var checkAt = text.LastIndexOf(" check=", StringComparison.Ordinal);
        if (checkAt < 0 || text[(checkAt + 7)..] != Check(text[..checkAt]))
        {
            return false;
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in text[..checkAt].Split(' '))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                fields[part[..equals]] = part[(equals + 1)..];
            }
        }

        if (!fields.TryGetValue("gen", out var gen) || !long.TryParse(gen, CultureInfo.InvariantCulture, out generation)
            || !fields.TryGetValue("active", out var active) || !Enum.TryParse<Slot>(active, out var slot)
            || !fields.TryGetValue("trial", out var trial)
            || !fields.TryGetValue("count", out var count) || !int.TryParse(count, CultureInfo.InvariantCulture, out var bootCount)
            || !fields.TryGetValue("limit", out var limit) || !int.TryParse(limit, CultureInfo.InvariantCulture, out var bootLimit))
        {
            return false;
        }

        // A copy written before the fallback mark existed has no fell-back field and reads as no fallback.
        var fellBack = fields.TryGetValue("fell-back", out var mark) && mark == "1";
        environment = new BootEnvironment(slot, trial == "1", bootCount, bootLimit, fellBack);
        return true;
    }

    private static string Check(string body) => Digests.Sha256Hex(Encoding.ASCII.GetBytes(body))[..16];
}
