using System.Text.Json;
using FleetOta.Emulator.Simulation;
using FleetOta.Journal;
using FleetOta.Server;

namespace FleetOta.Scenarios.Running;

/// <summary>Run-table keys that the scenario runner adds to a journal so that incident replay can rebuild the
/// controller of the recorded run: its options and the operator steps it was given.</summary>
public static class RunMetadata
{
    /// <summary>The rollout options as JSON, seed included.</summary>
    public const string RolloutOptionsKey = "rollout_options";

    /// <summary>The operator steps as JSON: a list of { atMs, action, device }.</summary>
    public const string OperatorStepsKey = "operator_steps";

    private static readonly JsonSerializerOptions Json = new()
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    public static void Write(SqliteJournalWriter journal, SimulationSpec spec)
    {
        journal.SetRunValue(RolloutOptionsKey, JsonSerializer.Serialize(spec.Rollout with { Seed = spec.Seed }, Json));
        journal.SetRunValue(OperatorStepsKey, JsonSerializer.Serialize(spec.Operator, Json));
    }

    /// <summary>Returns the recorded rollout options, or null when the journal has none (written by another host).</summary>
    public static RolloutOptions? ReadRolloutOptions(JournalData journal) =>
        journal.Run.TryGetValue(RolloutOptionsKey, out var text) ? JsonSerializer.Deserialize<RolloutOptions>(text, Json) : null;

    /// <summary>Returns the recorded operator steps, or null when the journal has none.</summary>
    public static IReadOnlyList<OperatorStep>? ReadOperatorSteps(JournalData journal) =>
        journal.Run.TryGetValue(OperatorStepsKey, out var text) ? JsonSerializer.Deserialize<List<OperatorStep>>(text, Json) : null;
}
