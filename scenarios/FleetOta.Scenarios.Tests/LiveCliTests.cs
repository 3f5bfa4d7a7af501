using System.Diagnostics;
using System.Text;
using System.Text.Json;
using FleetOta.Cli;

namespace FleetOta.Scenarios.Tests;

/// <summary>Runs <c>fleetota run --mode live</c> as a real process (with its shard processes, the in-process server and
/// sockets on 127.0.0.1) and checks its exit codes, signal handling and output streams.</summary>
public sealed class LiveCliTests : IDisposable
{
    private const string ScenarioFile = """
        defaults:
          seed: 5
          fleet:
            devices: 20
            initial-version: 1.0.0
            initial-security-version: 1
            hardware:
              - { model: gw-300, revision: A, share: 100% }
          agent: { heartbeat: 4m, report-retry: 30s, report-retry-max: 2m, download-retry: 30s }
        releases:
          r2: { version: 2.0.0, security-version: 2, image-size: 32KiB }
        rollouts:
          short:
            waves: [20%, 100%]
            gate: { success: 95%, soak: 2m, finished: 90%, max-duration: 10m }
            offer-spread: 2m
            offer-repeat: 3m
            silent-timeout: 10m
            tick: 30s
            recovery: { retry-delay: 3m }
        scenarios:
          - name: short
            description: A 30-minute release on 20 devices.
            release: r2
            rollout: short
            release-at: 3m
            duration: 30m
            expect: { reach: pass, success: pass, rollback: inconclusive, recovery: inconclusive, rollout-control: inconclusive }
          - name: long
            description: A 10-hour release on 20 devices, to be interrupted.
            release: r2
            rollout: short
            release-at: 3m
            duration: 10h
            expect: { reach: pass, success: pass, rollback: inconclusive, recovery: inconclusive, rollout-control: inconclusive }
        """;

    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(90);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "live-cli-" + Guid.NewGuid().ToString("N"));
    private readonly string _file;
    private readonly string _out;

    public LiveCliTests()
    {
        Directory.CreateDirectory(_folder);
        _file = Path.Combine(_folder, "scenarios.yaml");
        _out = Path.Combine(_folder, "out");
        File.WriteAllText(_file, ScenarioFile);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>A started fleetota process whose standard output and standard error are collected line by line.</summary>
    private sealed class CliProcess : IDisposable
    {
        private readonly StringBuilder _output = new();
        private readonly StringBuilder _error = new();

        public CliProcess(string program, IEnumerable<string> arguments)
        {
            var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in arguments)
            {
                info.ArgumentList.Add(argument);
            }

            Process = Process.Start(info)!;
            Process.OutputDataReceived += (_, line) => Append(_output, line.Data);
            Process.ErrorDataReceived += (_, line) => Append(_error, line.Data);
            Process.BeginOutputReadLine();
            Process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public string Output => Read(_output);

        public string Error => Read(_error);

        /// <summary>Waits for the exit and returns the exit code; kills the process tree and fails on a timeout.</summary>
        public async Task<int> ExitCodeAsync()
        {
            using var timeout = new CancellationTokenSource(ExitTimeout);
            try
            {
                await Process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Process.Kill(entireProcessTree: true);
                throw new TimeoutException($"fleetota did not exit within {ExitTimeout}. Standard output:\n{Output}");
            }

            return Process.ExitCode;
        }

        /// <summary>Waits until standard output contains <paramref name="text"/>.</summary>
        public async Task WaitForOutputAsync(string text)
        {
            var clock = Stopwatch.StartNew();
            while (!Output.Contains(text, StringComparison.Ordinal))
            {
                if (clock.Elapsed > ExitTimeout || Process.HasExited)
                {
                    throw new TimeoutException($"fleetota did not print '{text}'. Standard output:\n{Output}\nStandard error:\n{Error}");
                }

                await Task.Delay(100);
            }
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit();
            }

            Process.Dispose();
        }

        private static void Append(StringBuilder buffer, string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (buffer)
            {
                buffer.AppendLine(line);
            }
        }

        private static string Read(StringBuilder buffer)
        {
            lock (buffer)
            {
                return buffer.ToString();
            }
        }
    }

    private static string Fleetota => Path.Combine(AppContext.BaseDirectory, "fleetota.dll");

    private string[] LiveArguments(string scenario, params string[] more) =>
        [Fleetota, "run", _file, "--mode", "live", "--scenario", scenario, "--out", _out, "--time-factor", "120", .. more];

    /// <summary>Returns the ids of running processes whose command line contains <paramref name="text"/>.</summary>
    private static List<int> ProcessesWith(string text) =>
        Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => int.TryParse(name, out _))
            .Where(name =>
            {
                try
                {
                    return File.ReadAllText($"/proc/{name}/cmdline").Replace('\0', ' ').Contains(text, StringComparison.Ordinal);
                }
                catch (IOException)
                {
                    return false;
                }
            })
            .Select(name => int.Parse(name!, System.Globalization.CultureInfo.InvariantCulture))
            .ToList();

    private static async Task SendSignalAsync(string signal, string target)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-s", signal, "--", target } })!;
        await kill.WaitForExitAsync();
        kill.ExitCode.Should().Be(0, $"kill -s {signal} {target} must reach the process");
    }

    [Fact]
    public async Task Run_SigintToProcessGroup_ExitsThreeWithoutReport()
    {
        // setsid starts the run as the leader of a new process group, as a terminal's foreground job is, so that the
        // signal reaches the runner and its shard processes at once, as Ctrl+C does. It forks when its caller leads
        // a process group, and then --wait keeps it until the run exits and passes on the exit code.
        using var run = new CliProcess("setsid", ["--wait", "dotnet", .. LiveArguments("long", "--shards", "2")]);
        await run.WaitForOutputAsync("long: release r2");
        await Task.Delay(TimeSpan.FromSeconds(6));
        var runner = ProcessesWith($"fleetota.dll run {_file}").Single(id => File.ReadAllText($"/proc/{id}/comm").Trim() != "setsid");

        await SendSignalAsync("INT", "-" + runner);
        var code = await run.ExitCodeAsync();

        code.Should().Be(ExitCodes.RunFailed);
        run.Output.Should().MatchRegex(@"Interrupted: scenario long stopped at virtual time \d+\.\d\d h of 10\.05 h", "the run ends 10 h after the release at 3 min");
        run.Output.Should().NotContain("Gate passed");
        run.Error.Should().NotContain("Unhandled exception");
        File.Exists(Path.Combine(_out, "r2", "long", "report.html")).Should().BeFalse("an interrupted run has no verdict");
        File.Exists(Path.Combine(_out, "r2", "long", "journal.sqlite")).Should().BeFalse("the journals are not merged");
        ProcessesWith(_out).Should().BeEmpty("the shard processes are stopped with the run");
    }

    [Fact]
    public async Task Run_SigtermToRunnerOnly_ExitsThree()
    {
        using var run = new CliProcess("dotnet", LiveArguments("long"));
        await run.WaitForOutputAsync("long: release r2");
        await Task.Delay(TimeSpan.FromSeconds(6));

        await SendSignalAsync("TERM", run.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var code = await run.ExitCodeAsync();

        code.Should().Be(ExitCodes.RunFailed);
        run.Output.Should().Contain("Interrupted: scenario long stopped at virtual time");
        File.Exists(Path.Combine(_out, "r2", "long", "report.html")).Should().BeFalse();
        ProcessesWith(_out).Should().BeEmpty("the runner stops its shard processes");
    }

    [Fact]
    public async Task Run_JsonFormatTwice_PrintsOnlyJsonEachTime()
    {
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            using var run = new CliProcess("dotnet", LiveArguments("short", "--format", "json"));
            var code = await run.ExitCodeAsync();

            code.Should().Be(ExitCodes.Passed, $"run {attempt} into the same --out folder completes. Standard error:\n{run.Error}");
            using var document = JsonDocument.Parse(run.Output);
            document.RootElement.GetArrayLength().Should().Be(1);
            document.RootElement[0].GetProperty("scenario").GetString().Should().Be("short");
            run.Error.Should().Contain("short: release r2 (2.0.0) on 20 devices, seed 5");
            run.Error.Should().MatchRegex(@"virtual time 0\.\d h of 0\.6 h, \d+ of 20 devices updated, rollout \w+");
            run.Error.Should().Contain("info: ", "logs go to standard error");
        }

        Directory.Exists(Path.Combine(_out, "r2", "short", "devices")).Should().BeFalse("device folders are deleted after the merge");
    }

    [Fact]
    public async Task Run_TextFormatKeepDevices_PrintsTableAndKeepsDevices()
    {
        using var run = new CliProcess("dotnet", LiveArguments("short", "--keep-devices"));
        var code = await run.ExitCodeAsync();

        code.Should().Be(ExitCodes.Passed, $"standard error:\n{run.Error}");
        run.Output.Should().Contain("short: release r2 (2.0.0) on 20 devices, seed 5");
        run.Output.Should().MatchRegex(@"virtual time 0\.6 h of 0\.6 h, 20 of 20 devices updated, rollout completed");
        run.Output.Should().MatchRegex(@"criterion\s+│\s+verdict\s+│\s+expected");
        run.Output.Should().Contain("Gate passed");
        run.Output.Should().NotContain("info:", "logs go to standard error");
        Directory.EnumerateDirectories(Path.Combine(_out, "r2", "short", "devices")).Should().HaveCount(20);
    }

    [Fact]
    public void Run_InvalidBroker_ExitsTwo()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var code = CliApp.Invoke(["run", _file, "--mode", "live", "--scenario", "short", "--out", _out, "--broker", "garbage"], output, error);

        code.Should().Be(ExitCodes.Usage);
        error.ToString().Should().Contain("error: --broker or --time-factor is invalid: Option broker is 'garbage'");
        Directory.Exists(Path.Combine(_out, "r2")).Should().BeFalse("nothing runs");
    }

    [Fact]
    public async Task Run_UnreachableBroker_ExitsThreeWithMessage()
    {
        using var run = new CliProcess("dotnet", LiveArguments("short", "--broker", "mqtt://127.0.0.1:1"));
        var code = await run.ExitCodeAsync();

        code.Should().Be(ExitCodes.RunFailed);
        run.Error.Should().Contain(
            "error: scenario short did not complete at virtual time 0.00 h: The reference server failed to start with broker 'mqtt://127.0.0.1:1'");
        run.Error.Should().NotContain("Unhandled exception");
        File.Exists(Path.Combine(_out, "r2", "short", "report.html")).Should().BeFalse();
    }
}
