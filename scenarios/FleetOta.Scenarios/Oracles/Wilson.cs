namespace FleetOta.Scenarios.Oracles;

/// <summary>The 95% Wilson score interval of a share.</summary>
public static class Wilson
{
    private const double Z = 1.959963984540054;

    public static (double Low, double High) Interval(int successes, int total)
    {
        if (total <= 0)
        {
            return (0, 1);
        }

        var p = (double)successes / total;
        var z2 = Z * Z;
        var denominator = 1 + z2 / total;
        var centre = (p + z2 / (2 * total)) / denominator;
        var half = Z * Math.Sqrt(p * (1 - p) / total + z2 / (4.0 * total * total)) / denominator;
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }
}
