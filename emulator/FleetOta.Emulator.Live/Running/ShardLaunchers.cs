using System.Diagnostics;
using FleetOta.Emulator.Live.Hosting;
using Microsoft.Extensions.Logging;

namespace FleetOta.Emulator.Live.Running;

/// <summary>A running shard: finishes when the shard has written its journal and stopped.</summary>
public interface IShardHandle : IAsyncDisposable
{
    /// <summary>Waits until the shard ran to the scenario's end and closed its journal.</summary>
    Task WaitAsync(CancellationToken token);
}

/// <summary>Starts shards of the live device host.</summary>
public interface IShardLauncher
{
    Task<IShardHandle> StartAsync(DeviceHostOptions options, ILoggerFactory loggers, CancellationToken token);
}

/// <summary>Runs each shard as a <see cref="DeviceHost"/> in this process.</summary>
public sealed class InProcessShardLauncher : IShardLauncher
{
    public async Task<IShardHandle> StartAsync(DeviceHostOptions options, ILoggerFactory loggers, CancellationToken token) =>
        new Handle(await DeviceHost.StartAsync(options, loggers, token).ConfigureAwait(false));

    private sealed class Handle(DeviceHost host) : IShardHandle
    {
        private int _disposed;

        public async Task WaitAsync(CancellationToken token)
        {
            await host.RunToEndAsync(token).ConfigureAwait(false);
            await DisposeAsync().ConfigureAwait(false);
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                await host.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}

/// <summary>Thrown by <see cref="IShardHandle.WaitAsync"/> when a shard process exits with a code other than 0, which
/// means it stopped before the end of the run.</summary>
public sealed class ShardExitedException(string shard, int processId, int exitCode, string? logPath)
    : Exception($"The {shard} process (pid {processId}) exited with code {exitCode}{SignalNote(exitCode)} before the end of the run" +
                (logPath is null ? "." : $"; its output is in {logPath}."))
{
    /// <summary>The shard's name, such as "shard 2/4".</summary>
    public string Shard { get; } = shard;

    public int ExitCode { get; } = exitCode;

    /// <summary>File that receives the shard's standard output and standard error, or null when there is none.</summary>
    public string? LogPath { get; } = logPath;

    /// <summary>Names the signal for the exit codes 129 to 159, which .NET reports on Unix for a process that a signal
    /// ended (128 plus the signal number).</summary>
    private static string SignalNote(int exitCode) =>
        !OperatingSystem.IsWindows() && exitCode is > 128 and < 160 ? $" (ended by signal {exitCode - 128})" : "";
}

/// <summary>Runs each shard as a local process, <c>fleetota emulator --shard I/N ...</c>, configured entirely on its
/// command line. <paramref name="startInfo"/> builds the process for one shard's options. Each shard's standard
/// output and standard error go to the log and to <c>shard-I.log</c> next to the shard's journal.</summary>
public sealed class ProcessShardLauncher(Func<DeviceHostOptions, ProcessStartInfo> startInfo) : IShardLauncher
{
    public Task<IShardHandle> StartAsync(DeviceHostOptions options, ILoggerFactory loggers, CancellationToken token)
    {
        var info = startInfo(options);
        info.UseShellExecute = false;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var logger = loggers.CreateLogger("FleetOta.Emulator.Live.Shard");
        var logPath = Path.ChangeExtension(options.JournalPath, ".log");
        var logFile = new StreamWriter(logPath, append: false) { AutoFlush = true };
        Process process;
        try
        {
            process = Process.Start(info)
                      ?? throw new InvalidOperationException($"Starting shard {options.Shard + 1}/{options.Shards} with '{info.FileName}' failed.");
        }
        catch
        {
            logFile.Dispose();
            throw;
        }

        var name = $"shard {options.Shard + 1}/{options.Shards}";
        process.OutputDataReceived += (_, line) => Forward(logger, logFile, name, line.Data, LogLevel.Information);
        process.ErrorDataReceived += (_, line) => Forward(logger, logFile, name, line.Data, LogLevel.Warning);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return Task.FromResult<IShardHandle>(new Handle(process, name, logFile, logPath));
    }

    private static void Forward(ILogger logger, StreamWriter logFile, string shard, string? line, LogLevel level)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }

        Log.ShardOutput(logger, level, shard, line);
        // Standard output and standard error arrive on different threads.
        lock (logFile)
        {
            try
            {
                logFile.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // The handle was disposed; the line still reached the log above.
            }
        }
    }

    private sealed class Handle(Process process, string name, StreamWriter logFile, string logPath) : IShardHandle
    {
        public async Task WaitAsync(CancellationToken token)
        {
            await process.WaitForExitAsync(token).ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                throw new ShardExitedException(name, process.Id, process.ExitCode, logPath);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            // Waiting without a token also waits until the redirected output has been read to its end.
            await process.WaitForExitAsync().ConfigureAwait(false);
            process.Dispose();
            lock (logFile)
            {
                logFile.Dispose();
            }
        }
    }
}
