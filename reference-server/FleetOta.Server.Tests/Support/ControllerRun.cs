using FleetOta.Journal;

namespace FleetOta.Server.Tests.Support;

/// <summary>Helpers to start a controller and read what it journaled.</summary>
internal static class ControllerRun
{
    public static RolloutController Start(RolloutOptions options, int devices, FleetModel fleet, long atMs = 0, List<ControllerOutput>? log = null)
    {
        var controller = new RolloutController(options, devices);
        var outputs = new List<ControllerOutput>();
        controller.Handle(TestReleases.Deployment(devices), atMs, outputs);
        fleet.React(outputs);
        log?.AddRange(outputs);
        return controller;
    }

    public static IEnumerable<JournalEntry> Journal(this IEnumerable<ControllerOutput> outputs, JournalKind kind) =>
        outputs.OfType<Record>().Select(record => record.Entry).Where(entry => entry.Kind == kind);
}
