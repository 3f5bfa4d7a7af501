using System.Diagnostics;
using System.Globalization;
using FleetOta.Emulator.Fleet;
using FleetOta.Emulator.Simulation;
using FleetOta.Journal;
using FleetOta.Protocol;
using FleetOta.Scenarios.Model;
using FleetOta.Scenarios.Oracles;

namespace FleetOta.Benchmarks;

/// <summary>The fleet-scale macro benchmark: a nominal release in four waves (1%, 10%, 50%, 100%) over 48 virtual
/// hours, with the journal written to SQLite, timed by wall clock, with peak working set and GC figures.</summary>
public static class FleetBenchmark
{
    private const string Usage =
        "Usage: fleet [--devices N] [--seed S] [--hours H] [--out FILE] [--keep] [--no-evaluate]\n" +
        "  --devices      fleet size (default 100000)\n" +
        "  --seed         simulation seed (default 20261204)\n" +
        "  --hours        virtual hours after the release start (default 48)\n" +
        "  --out          journal file (default a new file in the temp folder, deleted afterwards)\n" +
        "  --keep         keep the journal file\n" +
        "  --no-evaluate  skip reading the journal back and computing the five criteria";

    public static int Run(string[] args, TextWriter output)
    {
        if (!BenchmarkOptions.TryParse(args, out var options, out var error))
        {
            output.WriteLine(error);
            output.WriteLine(Usage);
            return 2;
        }

        var spec = NominalSpec(options);
        var journalFile = options.JournalFile ?? Path.Combine(Path.GetTempPath(), $"fleetota-bench-{Environment.ProcessId}.sqlite");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fleet benchmark: {spec.Fleet.Devices:N0} devices, {options.Hours} virtual hours, seed {spec.Seed}, journal {journalFile}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"machine: {Environment.ProcessorCount} logical cores, {MachineInfo.CpuModel()}, {MachineInfo.MemoryGiB():0.0} GiB memory, .NET {Environment.Version}"));

        var total = Stopwatch.StartNew();
        var generate = Stopwatch.StartNew();
        var fleet = FleetGenerator.Generate(spec.Fleet, spec.Seed);
        generate.Stop();

        var simulate = Stopwatch.StartNew();
        SimulationResult result;
        using (var journal = new SqliteJournalWriter(journalFile))
        {
            result = new Simulator(spec, fleet, journal).Run();
        }

        simulate.Stop();
        var simulationPeak = CurrentPeakWorkingSet();
        fleet = null;

        var evaluate = Stopwatch.StartNew();
        string verdicts = "not evaluated";
        if (options.Evaluate)
        {
            var data = JournalReader.Read(journalFile);
            var evaluation = GateEvaluation.Evaluate(data, new CriteriaThresholds());
            verdicts = string.Join(", ", evaluation.Results.Take(5).Select(r => $"{r.Id} {r.Verdict.ToString().ToLowerInvariant()}"));
        }

        evaluate.Stop();
        total.Stop();

        var journalBytes = new FileInfo(journalFile).Length;
        if (!options.Keep)
        {
            File.Delete(journalFile);
        }

        Report(output, result, journalBytes, generate.Elapsed, simulate.Elapsed, evaluate.Elapsed, total.Elapsed, simulationPeak, verdicts);
        return 0;
    }

    /// <summary>Builds the nominal scenario of scenarios.yaml: two hardware revisions, three network profiles, an
    /// always-connected fleet and a good release rolled out in four waves.</summary>
    public static SimulationSpec NominalSpec(BenchmarkOptions options) => new()
    {
        Name = "benchmark-nominal",
        Seed = options.Seed,
        Fleet = new FleetSpec
        {
            Devices = options.Devices,
            InitialVersion = "1.4.2",
            InitialSecurityVersion = 3,
            Hardware = [new(new HardwareTarget("gw-300", "A"), 0.6), new(new HardwareTarget("gw-300", "B"), 0.4)],
            Networks = [new(NetworkProfile.Ethernet, 0.5), new(NetworkProfile.WiFi, 0.3), new(NetworkProfile.Lte, 0.2)],
            Connectivity = [new(ConnectivityPattern.AlwaysOn, 1)],
        },
        Release = new ReleaseSpec("r1.5.0", "1.5.0", 3, 48L << 20),
        DurationAfterReleaseMs = options.Hours * 3_600_000L,
    };

    private static TimeSpan ProcessorTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    private static long CurrentPeakWorkingSet()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.PeakWorkingSet64;
    }

    private static void Report(
        TextWriter output, SimulationResult result, long journalBytes, TimeSpan generate, TimeSpan simulate, TimeSpan evaluate, TimeSpan total,
        long simulationPeak, string verdicts)
    {
        var gc = GC.GetGCMemoryInfo(GCKind.Any);
        var culture = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(culture, $"events:            {result.Events:N0}"));
        output.WriteLine(string.Create(culture, $"journal entries:   {result.JournalEntries:N0} ({(double)result.JournalEntries / result.Devices:0.0} per device), {journalBytes / 1048576.0:N0} MiB"));
        output.WriteLine(string.Create(culture, $"devices updated:   {result.DevicesUpdated:N0} of {result.Devices:N0}"));
        output.WriteLine(string.Create(culture, $"generate fleet:    {generate.TotalSeconds:0.0} s"));
        output.WriteLine(string.Create(culture, $"simulate + write:  {simulate.TotalSeconds:0.0} s ({result.Events / simulate.TotalSeconds / 1e6:0.00} M events/s)"));
        output.WriteLine(string.Create(culture, $"read + evaluate:   {evaluate.TotalSeconds:0.0} s ({verdicts})"));
        output.WriteLine(string.Create(culture, $"wall time:         {total.TotalSeconds:0.0} s"));
        output.WriteLine(string.Create(culture, $"processor time:    {ProcessorTime().TotalSeconds:0.0} s (all threads, user and system; the journal writer runs on a second thread)"));
        output.WriteLine(string.Create(culture, $"peak working set:  {simulationPeak / 1048576.0:N0} MiB after simulating, {CurrentPeakWorkingSet() / 1048576.0:N0} MiB at the end"));
        output.WriteLine(string.Create(culture, $"GC:                {GC.CollectionCount(0)} gen0, {GC.CollectionCount(1)} gen1, {GC.CollectionCount(2)} gen2 collections; " +
                                                $"{GC.GetTotalAllocatedBytes() / 1073741824.0:0.0} GiB allocated; pause {GC.GetTotalPauseDuration().TotalSeconds:0.0} s; " +
                                                $"heap peak of last GC {gc.HeapSizeBytes / 1048576.0:N0} MiB; server GC {System.Runtime.GCSettings.IsServerGC}"));
    }
}
