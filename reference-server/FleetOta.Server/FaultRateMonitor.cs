namespace FleetOta.Server;

/// <summary>The sliding-window critical-fault rate: distinct devices with a critical fault received in
/// (t - window, t], over devices that activated the new version at or before t.</summary>
/// <remarks>Faults must be recorded in non-decreasing time order, and <see cref="Advance"/> must be called with
/// non-decreasing times that are not earlier than the last recorded fault.</remarks>
public sealed class FaultRateMonitor
{
    private readonly long _windowMs;
    private readonly Queue<(long TimeMs, int Device)> _faults = new();
    private readonly Dictionary<int, int> _faultsInWindow = [];
    private long _lastFaultMs = long.MinValue;

    public FaultRateMonitor(long windowMs)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(windowMs);
        _windowMs = windowMs;
    }

    public long WindowMs => _windowMs;

    /// <summary>Devices that activated the new version so far.</summary>
    public int Activated { get; private set; }

    /// <summary>Distinct devices with a fault inside the window as of the last <see cref="Advance"/>.</summary>
    public int FaultyDevices => _faultsInWindow.Count;

    /// <summary>The faults still inside the window as of the last <see cref="Advance"/> (or recorded since), oldest first.</summary>
    public IEnumerable<(long TimeMs, int Device)> Faults => _faults;

    public void RecordActivation() => Activated++;

    /// <summary>Sets the activation count, for a controller restored from its store.</summary>
    internal void RestoreActivated(int activated) => Activated = activated;

    /// <summary>Records a critical fault received at <paramref name="timeMs"/>; times must not decrease.</summary>
    public void RecordFault(long timeMs, int device)
    {
        if (timeMs < _lastFaultMs)
        {
            throw new ArgumentOutOfRangeException(nameof(timeMs), timeMs,
                $"Faults must be recorded in time order, but {timeMs} ms is before the last fault at {_lastFaultMs} ms.");
        }

        _lastFaultMs = timeMs;
        _faults.Enqueue((timeMs, device));
        _faultsInWindow[device] = _faultsInWindow.GetValueOrDefault(device) + 1;
    }

    /// <summary>Drops faults at or before t - window and returns the rate at t (0 with no activated device).</summary>
    public double Advance(long nowMs)
    {
        var horizon = nowMs - _windowMs;
        while (_faults.Count > 0 && _faults.Peek().TimeMs <= horizon)
        {
            var (_, device) = _faults.Dequeue();
            var remaining = _faultsInWindow[device] - 1;
            if (remaining == 0)
            {
                _faultsInWindow.Remove(device);
            }
            else
            {
                _faultsInWindow[device] = remaining;
            }
        }

        return Activated == 0 ? 0 : (double)_faultsInWindow.Count / Activated;
    }
}
