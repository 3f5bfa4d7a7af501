namespace FleetOta.Scenarios.Model;

/// <summary>One problem in a scenario file: where it is, which key and value, and what is allowed.</summary>
public sealed record ValidationProblem(string File, int Line, int Column, string Key, string? Value, string Message)
{
    public override string ToString()
    {
        var value = Value is null ? "" : $" (value '{Value}')";
        return $"{File}:{Line}:{Column}: {Key}{value}: {Message}";
    }
}

/// <summary>Raised when a scenario file is invalid; carries every problem found, not only the first.</summary>
public sealed class ScenarioValidationException(IReadOnlyList<ValidationProblem> problems)
    : Exception($"The scenario file has {problems.Count} problem(s):{Environment.NewLine}" +
                string.Join(Environment.NewLine, problems.Select(problem => "  " + problem)))
{
    public IReadOnlyList<ValidationProblem> Problems { get; } = problems;
}
