using FleetOta.Emulator.Simulation;
using Spectre.Console;

namespace FleetOta.Cli;

/// <summary>Shows a run's progress: a live bar with the virtual time, the devices updated, the rollout phase and the
/// verdicts of the scenarios finished so far on a terminal, or a plain line at every quarter of the virtual time when
/// the output is redirected (as in CI).</summary>
internal static class ProgressDisplay
{
    public static T Run<T>(IAnsiConsole console, string name, string tally, Func<Action<SimulationProgress>, T> work)
    {
        if (!console.Profile.Capabilities.Interactive)
        {
            var nextQuarter = 1;
            return work(progress =>
            {
                var share = progress.EndMs == 0 ? 1 : (double)progress.VirtualTimeMs / progress.EndMs;
                if (share * 4 < nextQuarter)
                {
                    return;
                }

                nextQuarter = (int)(share * 4) + 1;
                console.WriteLine($"{Describe(progress)}; {tally}");
            });
        }

        T result = default!;
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape(name), maxValue: 1.0);
                result = work(progress =>
                {
                    task.Value = progress.EndMs == 0 ? 1 : (double)progress.VirtualTimeMs / progress.EndMs;
                    task.Description = Markup.Escape($"{name}: {Describe(progress)}; {tally}");
                });
                task.Value = 1.0;
            });
        return result;
    }

    private static string Describe(SimulationProgress progress) =>
        $"virtual time {progress.VirtualTimeMs / 3_600_000.0:0.0} h of {progress.EndMs / 3_600_000.0:0.0} h, " +
        $"{progress.DevicesUpdated} of {progress.Devices} devices updated, rollout {progress.Phase.ToLowerInvariant()}";
}
