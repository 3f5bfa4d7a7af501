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

/// <summary>Runs each shard as a local process, <c>fleetota emulator --shard I/N ...</c>, configured entirely on its
/// command line. <paramref name="startInfo"/> builds the process for one shard's options.</summary>
public sealed class ProcessShardLauncher(Func<DeviceHostOptions, ProcessStartInfo> startInfo) : IShardLauncher
{
    public Task<IShardHandle> StartAsync(DeviceHostOptions options, ILoggerFactory loggers, CancellationToken token)
    {
        var info = startInfo(options);
        info.UseShellExecute = false;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var logger = loggers.CreateLogger("FleetOta.Emulator.Live.Shard");
        var process = Process.Start(info)
                      ?? throw new InvalidOperationException($"Starting shard {options.Shard + 1}/{options.Shards} with '{info.FileName}' failed.");
        var name = $"shard {options.Shard + 1}/{options.Shards}";
        process.OutputDataReceived += (_, line) => Forward(logger, name, line.Data, LogLevel.Information);
        process.ErrorDataReceived += (_, line) => Forward(logger, name, line.Data, LogLevel.Warning);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return Task.FromResult<IShardHandle>(new Handle(process, name));
    }

    private static void Forward(ILogger logger, string shard, string? line, LogLevel level)
    {
        if (!string.IsNullOrWhiteSpace(line))
        {
            Log.ShardOutput(logger, level, shard, line);
        }
    }

    private sealed class Handle(Process process, string name) : IShardHandle
    {
        public async Task WaitAsync(CancellationToken token)
        {
            await process.WaitForExitAsync(token).ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"The {name} process exited with code {process.ExitCode}; its output is in the log above.");
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().ConfigureAwait(false);
            }

            process.Dispose();
        }
    }
}
