using FleetOta.Emulator.Faults;
using FleetOta.Journal;
using FleetOta.Protocol;

namespace FleetOta.Emulator.Simulation;

public sealed partial class Simulator
{
    /// <summary>Resolves the fault plan to devices, journals each entry and schedules its timed parts. Every fault
    /// that takes effect on a device leaves a fault.injected entry for that device: continuous kinds when their
    /// window opens, the others when they happen.</summary>
    private void AssignFaults()
    {
        foreach (var spec in _spec.Faults)
        {
            spec.Validate();
        }

        var targets = FaultAssignment.Resolve(_spec.Faults, _fleet, _spec.Seed);
        for (var i = 0; i < _spec.Faults.Count; i++)
        {
            var spec = _spec.Faults[i];
            var description = Describe(spec);
            Journal(new JournalEntry(0, JournalKind.FaultInjected, Status: spec.Kind.ToName(), Detail: "plan: " + description,
                Value: targets[i].Length, Actor: "emulator"));
            if (spec.Kind.IsServerSide())
            {
                ScheduleServerFault(spec);
                continue;
            }

            foreach (var id in targets[i])
            {
                var device = _devices[id];
                if (ReferenceEquals(device.Faults, DeviceFaults.None))
                {
                    device.Faults = new DeviceFaults();
                }

                device.Faults.Entries.Add(spec);
                ScheduleDeviceFault(device, spec, description);
            }
        }
    }

    private static string Describe(FaultSpec spec)
    {
        var target = spec.Target;
        var aim = target.Count is { } count ? $"{count} devices" : target.Share is { } share ? $"{share:P1} of devices" : "all devices";
        var parts = new List<string> { aim };
        foreach (var (name, value) in new[] { ("hardware", target.Hardware), ("network", target.Network), ("site", target.Site), ("connectivity", target.Connectivity) })
        {
            if (value is not null)
            {
                parts.Add($"{name} {value}");
            }
        }

        if (spec.Step is { } step)
        {
            parts.Add($"at step {step.ToName()}");
        }

        if (spec.AtMs is { } at)
        {
            parts.Add($"at {at / 60_000.0:0.#} min");
        }

        if (spec.DurationMs > 0)
        {
            parts.Add($"for {spec.DurationMs / 1000.0:0.#} s");
        }

        if (spec.Repeat > 1)
        {
            parts.Add($"{spec.Repeat} times");
        }

        if (spec.Rate > 0)
        {
            parts.Add($"rate {spec.Rate:0.####}");
        }

        if (spec.Amount > 0)
        {
            parts.Add($"amount {spec.Amount:0.##}");
        }

        return string.Join(", ", parts);
    }

    private void ScheduleDeviceFault(SimDevice device, FaultSpec spec, string description)
    {
        var id = device.Profile.Id;
        if (spec.IsContinuous || spec.Kind == FaultKind.StorageFull)
        {
            ScheduleWindows(device, spec, description);
            return;
        }

        if (spec.Step is not null || spec.Kind is not (FaultKind.PowerCut or FaultKind.Brownout or FaultKind.Partition))
        {
            // Aimed at a step or at a transfer, write or offer: it happens there.
            return;
        }

        var at = spec.AtMs ?? _spec.ReleaseAtMs;
        var length = OffMs(spec);
        var period = Math.Max(spec.IntervalMs, length + 1_000);
        for (var i = 0; i < spec.Repeat; i++)
        {
            var start = at + i * period;
            if (spec.Kind == FaultKind.Partition)
            {
                Schedule(start, EventKind.Partition, id, data: 1, payload: spec);
                Schedule(start + length, EventKind.Partition, id, data: 0, payload: spec);
            }
            else
            {
                Schedule(start, EventKind.PowerCut, id, data: length, payload: spec);
            }
        }
    }

    private void ScheduleWindows(SimDevice device, FaultSpec spec, string description)
    {
        if (spec.AtMs is not { } at)
        {
            OnFaultWindow(device, spec, open: true, description);
            return;
        }

        var repeats = spec.DurationMs > 0 ? spec.Repeat : 1;
        var period = Math.Max(spec.IntervalMs, spec.DurationMs);
        for (var i = 0; i < repeats; i++)
        {
            var start = at + i * period;
            Schedule(start, EventKind.FaultWindow, device.Profile.Id, data: 1, payload: spec);
            if (spec.DurationMs > 0)
            {
                Schedule(start + spec.DurationMs, EventKind.FaultWindow, device.Profile.Id, data: 0, payload: spec);
            }
        }
    }

    /// <summary>Opens or closes the window of a continuous fault (or a full disk) on one device.</summary>
    private void OnFaultWindow(SimDevice device, FaultSpec spec, bool open, string? description = null)
    {
        JournalDevice(device, JournalKind.FaultInjected, spec.Kind.ToName(),
            open ? "active: " + (description ?? Describe(spec)) : "window closed", value: open ? 1 : 0);
        if (spec.Kind == FaultKind.StorageFull)
        {
            device.StorageUsedBytes = open ? Math.Max(device.Profile.StorageBytes - (long)spec.Amount, 0) : 0;
        }

        if (device.Transferring && spec.Kind is FaultKind.BandwidthCap or FaultKind.StorageFull or FaultKind.ConnectionReset)
        {
            // The transfer continues from where it is under the new conditions.
            ResegmentTransfer(device);
        }
    }

    /// <summary>Returns the first fault of a continuous kind whose window is open on the device now.</summary>
    private FaultSpec? ActiveFault(SimDevice device, FaultKind kind)
    {
        if (ReferenceEquals(device.Faults, DeviceFaults.None))
        {
            return null;
        }

        foreach (var entry in device.Faults.Entries)
        {
            if (entry.Kind == kind && entry.IsActiveAt(_now))
            {
                return entry;
            }
        }

        return null;
    }

    /// <summary>Takes the faults aimed at an agent step: a partition starts after the current event, and a power cut
    /// or brownout is returned for the caller to apply where the step tears.</summary>
    private FaultSpec? StepFault(SimDevice device, PowerCutStep step)
    {
        if (ReferenceEquals(device.Faults, DeviceFaults.None))
        {
            return null;
        }

        if (device.Faults.Take(FaultKind.Partition, step) is { } partition)
        {
            var length = partition.EffectiveDurationMs(_spec.Timing.PowerOffMs);
            Schedule(_now, EventKind.Partition, device.Profile.Id, data: 1, payload: partition);
            Schedule(_now + length, EventKind.Partition, device.Profile.Id, data: 0, payload: partition);
        }

        var cut = device.Faults.Take(FaultKind.PowerCut, step) ?? device.Faults.Take(FaultKind.Brownout, step);
        if (cut is not null)
        {
            JournalDevice(device, JournalKind.FaultInjected, cut.Kind.ToName(), "at step " + step.ToName(), value: OffMs(cut));
        }

        return cut;
    }

    /// <summary>A power cut or brownout aimed at a time.</summary>
    private void OnTimedPowerFault(SimDevice device, FaultSpec spec, long offMs)
    {
        if (!device.Powered)
        {
            JournalDevice(device, JournalKind.FaultInjected, spec.Kind.ToName(), "power already off", value: offMs);
            return;
        }

        JournalDevice(device, JournalKind.FaultInjected, spec.Kind.ToName(), "at a planned time", value: offMs);
        PowerCut(device, offMs, spec.Kind.ToName());
    }
}
