using FleetOta.Journal;
using FleetOta.Server.Host.Timing;
using Microsoft.Extensions.Logging;

namespace FleetOta.Server.Host.Control;

/// <summary>The thread-safe journal of the server host. Entries are stamped with the virtual time at which they
/// are appended (never earlier than the last one), so the SQLite writer receives them in time order whichever
/// thread appends. A timer writes pending entries to disk every flush interval.</summary>
internal sealed class HostJournal : IJournalSink, IAsyncDisposable
{
    private readonly SqliteJournalWriter _writer;
    private readonly CompressedTimeProvider _clock;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly PeriodicTimer _flushTimer;
    private readonly Task _flushLoop;
    private long _lastTimeMs;

    public HostJournal(string path, CompressedTimeProvider clock, TimeSpan flushInterval, ILogger logger)
    {
        _writer = new SqliteJournalWriter(path);
        _clock = clock;
        _logger = logger;
        _flushTimer = new PeriodicTimer(flushInterval);
        _flushLoop = FlushLoopAsync();
    }

    public string Path => _writer.Path;

    /// <summary>Appends an entry at the later of its own time and the time of the last entry.</summary>
    public void Append(in JournalEntry entry)
    {
        lock (_gate)
        {
            var time = Math.Max(entry.TimeMs, _lastTimeMs);
            _lastTimeMs = time;
            _writer.Append(entry with { TimeMs = time });
        }
    }

    /// <summary>Appends an entry stamped with the current virtual time.</summary>
    public void AppendNow(JournalEntry entry) => Append(entry with { TimeMs = _clock.NowMs });

    public void SetRunValue(string key, string value)
    {
        lock (_gate)
        {
            _writer.SetRunValue(key, value);
        }
    }

    public void AddRelease(JournalRelease release)
    {
        lock (_gate)
        {
            _writer.AddRelease(release);
        }
    }

    public void Flush()
    {
        lock (_gate)
        {
            _writer.Flush();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _flushTimer.Dispose();
        await _flushLoop.ConfigureAwait(false);
        lock (_gate)
        {
            _writer.Dispose();
        }
    }

    private async Task FlushLoopAsync()
    {
        // WaitForNextTickAsync returns false once the timer is disposed.
        while (await _flushTimer.WaitForNextTickAsync().ConfigureAwait(false))
        {
            try
            {
                Flush();
            }
            catch (Microsoft.Data.Sqlite.SqliteException error)
            {
                Log.JournalFlushFailed(_logger, Path, error);
            }
        }
    }
}
