using FleetOta.Emulator.Live.Timing;
using FleetOta.Journal;

namespace FleetOta.Emulator.Live.Hosting;

/// <summary>A thread-safe journal for the live host. Each entry gets the virtual time at which it is appended, so
/// the entries arrive at the SQLite writer in time order whatever thread appends them. A background task writes
/// them in batches, so that a device never waits for SQLite.</summary>
public sealed class LiveJournal : IAsyncDisposable
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(250);

    private readonly SqliteJournalWriter _writer;
    private readonly CompressedTimeProvider _clock;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _flushLoop;
    private List<JournalEntry> _pending = [];
    private long _lastTime;
    private long _appended;

    public LiveJournal(SqliteJournalWriter writer, CompressedTimeProvider clock)
    {
        _writer = writer;
        _clock = clock;
        _flushLoop = FlushLoopAsync();
    }

    /// <summary>Entries appended so far.</summary>
    public long Count => Interlocked.Read(ref _appended);

    /// <summary>Virtual time now, in milliseconds since the run started.</summary>
    public long NowMs => Math.Max(_clock.VirtualMs, 0);

    /// <summary>Appends an entry stamped with the current virtual time; the entry's own time is ignored.</summary>
    public void Append(JournalEntry entry)
    {
        lock (_gate)
        {
            var time = Math.Max(NowMs, _lastTime);
            _lastTime = time;
            _pending.Add(entry with { TimeMs = time });
            _appended++;
        }
    }

    /// <summary>Writes a run-level value such as the shard number; thread-safe.</summary>
    public void SetRunValue(string key, string value)
    {
        lock (_writer)
        {
            _writer.SetRunValue(key, value);
        }
    }

    /// <summary>Writes every pending entry to the file.</summary>
    public void Flush()
    {
        List<JournalEntry> batch;
        lock (_gate)
        {
            if (_pending.Count == 0)
            {
                return;
            }

            batch = _pending;
            _pending = [];
        }

        lock (_writer)
        {
            foreach (var entry in batch)
            {
                _writer.Append(entry);
            }

            _writer.Flush();
        }
    }

    /// <summary>Stops the background writer, writes what is pending and closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _flushLoop.ConfigureAwait(false);
        Flush();
        lock (_writer)
        {
            _writer.Dispose();
        }

        _stopping.Dispose();
    }

    private async Task FlushLoopAsync()
    {
        using var timer = new PeriodicTimer(FlushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                Flush();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: DisposeAsync writes the rest.
        }
    }
}
