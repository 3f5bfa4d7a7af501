using FleetOta.Benchmarks;

// `fleet` runs the fleet-scale macro benchmark; anything else goes to the BenchmarkDotNet micro benchmarks.
if (args.Length > 0 && args[0] == "fleet")
{
    return FleetBenchmark.Run(args[1..], Console.Out);
}

BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
