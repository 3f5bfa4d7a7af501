namespace FleetOta.Server;

/// <summary>The sliding-window critical-fault rate: distinct devices with a critical fault received in
/// (t - window, t], over devices that activated the new version at or before t.</summary>
public sealed class FaultRateMonitor
{
    private readonly long _windowMs;
    private readonly Queue<(long TimeMs, int Device)> _faults = new();
    private readonly Dictionary<int, int> _faultsInWindow = [];

    public FaultRateMonitor(long windowMs)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(windowMs);
        _windowMs = windowMs;
    }

    public int Activated { get; private set; }

    /// <summary>Distinct devices with a fault inside the window as of the last <see cref="Advance"/>.</summary>
    public int FaultyDevices => _faultsInWindow.Count;

    public void RecordActivation() => Activated++;

    /// <summary>Records a critical fault received at <paramref name="timeMs"/>; times must not decrease.</summary>
    public void RecordFault(long timeMs, int device)
    {
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
