using System.Globalization;

namespace FleetOta.Benchmarks;

/// <summary>Command-line options of the fleet macro benchmark.</summary>
public sealed record BenchmarkOptions
{
    public int Devices { get; init; } = 100_000;
    public long Seed { get; init; } = 20261204;
    public int Hours { get; init; } = 48;
    public string? JournalFile { get; init; }
    public bool Keep { get; init; }
    public bool Evaluate { get; init; } = true;

    public static bool TryParse(string[] args, out BenchmarkOptions options, out string error)
    {
        options = new BenchmarkOptions();
        error = "";
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            switch (name)
            {
                case "--keep":
                    options = options with { Keep = true };
                    continue;
                case "--no-evaluate":
                    options = options with { Evaluate = false };
                    continue;
            }

            if (i + 1 >= args.Length)
            {
                error = $"Option {name} is unknown or has no value.";
                return false;
            }

            var value = args[++i];
            switch (name)
            {
                case "--devices" when int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var devices) && devices > 0:
                    options = options with { Devices = devices };
                    break;
                case "--seed" when long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed):
                    options = options with { Seed = seed };
                    break;
                case "--hours" when int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var hours) && hours > 0:
                    options = options with { Hours = hours };
                    break;
                case "--out":
                    options = options with { JournalFile = value };
                    break;
                default:
                    error = $"Option {name} has the invalid value '{value}'; --devices and --hours take a positive integer, --seed an integer.";
                    return false;
            }
        }

        return true;
    }
}
