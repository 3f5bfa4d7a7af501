using FleetOta.Agent;
using FleetOta.Emulator.Faults;
using FleetOta.Journal;
using FleetOta.Protocol;

namespace FleetOta.Emulator.Simulation;

public sealed partial class Simulator
{
    private static readonly TimerFired[] TimerInputs = Enum.GetValues<AgentTimer>().Select(timer => new TimerFired(timer)).ToArray();
    private static readonly ConnectivityChanged WentOnline = new(true);
    private static readonly ConnectivityChanged WentOffline = new(false);

    private void PowerOn(SimDevice device)
    {
        if (device.Powered)
        {
            return;
        }

        if (device.Epoch > 0)
        {
            JournalDevice(device, JournalKind.PowerRestore);
        }

        device.Powered = true;
        device.Epoch++;
        Schedule(_now, EventKind.Boot, device.Profile.Id, device.Epoch);
    }

    /// <summary>Runs the bootloader: picks the slot, writes the environment if it changed, and hands over.</summary>
    private void Boot(SimDevice device)
    {
        // A bootloader that cannot read its single-copy environment assumes a trial of slot A, so that an image in A
        // that does not come up still falls back to B.
        var environment = device.EnvironmentCorrupt
            ? BootEnvironment.Unreadable(_spec.Fleet.BootLimit)
            : device.Environment;
        var decision = Bootloader.Decide(environment, device.SlotA, device.SlotB);
        if (decision.EnvironmentChanged || device.EnvironmentCorrupt)
        {
            JournalDevice(device, JournalKind.BootEnvironmentWritten, BootStatus(decision.Environment),
                device.EnvironmentCorrupt ? "bootloader, replacing a corrupt environment" : "bootloader");
            device.Environment = decision.Environment;
            device.EnvironmentCorrupt = false;
        }

        if (decision.FellBack)
        {
            JournalDevice(device, JournalKind.BootloaderFallback, decision.Boot?.ToString(), "trial boot limit exceeded or slot invalid");
        }

        device.BootFellBack = decision.FellBack;
        if (decision.Boot is not { } slot)
        {
            device.Bricked = true;
            JournalDevice(device, JournalKind.Boot, "none", "no bootable slot");
            return;
        }

        device.Bricked = false;
        device.RunningSlot = slot;
        var content = device.Slot(slot);
        JournalDevice(device, JournalKind.Boot, slot.ToString(), decision.Environment.Trial ? "trial" : null, content.Version,
            decision.Environment.BootCount);

        if (decision.Environment.Trial && StepFault(device, PowerCutStep.FirstBoot) is { } cut)
        {
            CutPower(device, cut);
            return;
        }

        Schedule(_now + _spec.Timing.BootMs, EventKind.AgentUp, device.Profile.Id, device.Epoch);
        if (CrashesOnStart(device, slot))
        {
            Schedule(_now + _spec.Timing.BootMs + _spec.Timing.CrashAfterMs, EventKind.Crash, device.Profile.Id, device.Epoch);
        }
    }

    private static string BootStatus(BootEnvironment environment) =>
        $"active={environment.Active} trial={(environment.Trial ? 1 : 0)} count={environment.BootCount}";

    private bool CrashesOnStart(SimDevice device, Slot slot) =>
        device.CorruptAtRest(slot)
        || (device.Slot(slot).Version == _spec.Release.Version && ActiveFault(device, FaultKind.CrashLoop) is not null);

    private void AgentUp(SimDevice device)
    {
        device.Agent = new AgentCore(_spec.Agent, new DeviceIdentity(device.Profile.Id, device.Profile.Hardware.Model,
            device.Profile.Hardware.Revision), _verifier);
        var booted = new Booted(device.RunningSlot, device.SlotA, device.SlotB, device.Environment, device.BootFellBack, device.Persisted);
        RunAgent(device, booted);
        if (device.Agent is not null && !device.Online)
        {
            RunAgent(device, WentOffline);
        }
    }

    private void DeliverToAgent(SimDevice device, AgentInput input)
    {
        if (device.Agent is not null)
        {
            RunAgent(device, input);
        }
    }

    private void OnAgentTimer(SimDevice device, in SimEvent e)
    {
        var timer = (AgentTimer)(e.Data & 0xFF);
        if (e.Token == device.Epoch && device.Timers[(int)timer] == (int)(e.Data >> 8) && device.Agent is not null)
        {
            RunAgent(device, TimerInputs[(int)timer]);
        }
    }

    /// <summary>Feeds one input to the device's agent at the device clock's time and carries out its outputs in order.
    /// A power cut during an output drops the outputs after it.</summary>
    private void RunAgent(SimDevice device, AgentInput input)
    {
        var outputs = _agentOutputs;
        outputs.Clear();
        device.Agent!.Handle(input, device.DeviceTime(_now), outputs);
        var epoch = device.Epoch;
        var count = outputs.Count;
        for (var i = 0; i < count && device.Epoch == epoch && device.Powered; i++)
        {
            Apply(device, outputs[i]);
        }
    }

    private void Apply(SimDevice device, AgentOutput output)
    {
        var id = device.Profile.Id;
        switch (output)
        {
            case SendMessage send:
                SendToServer(device, send.Message);
                break;
            case SetTimer set:
                // The agent sets timers on the device clock; the kernel runs on server time.
                var generation = ++device.Timers[(int)set.Timer];
                Schedule(device.ServerTime(set.AtMs), EventKind.AgentTimer, id, device.Epoch, (long)set.Timer | ((long)generation << 8));
                break;
            case CancelTimer cancel:
                device.Timers[(int)cancel.Timer]++;
                break;
            case StartDownload start:
                StartTransfer(device, start);
                break;
            case DiscardDownload:
                StopTransfer(device);
                device.DownloadBytes = 0;
                device.DownloadCorrupt = false;
                break;
            case ComputeDigest compute:
                ComputeDigestOf(device, compute.Target);
                break;
            case WriteSlot write:
                StartSlotWrite(device, write);
                break;
            case WriteBootEnvironment write:
                WriteEnvironment(device, write.Environment);
                break;
            case PersistState persist:
                device.Persisted = persist.State;
                break;
            case StartHealthCheck:
                StartHealthCheckOn(device);
                break;
            case Reboot:
                if (StepFault(device, PowerCutStep.BeforeReboot) is { } cut)
                {
                    CutPower(device, cut);
                    break;
                }

                Restart(device, "reboot");
                break;
            case LogEvent log:
                OnAgentLog(device, log);
                break;
        }
    }

    private void OnAgentLog(SimDevice device, LogEvent log)
    {
        JournalDevice(device, log.Kind, log.Status, log.Detail, log.Version);
        if (log.Kind != JournalKind.Committed || log.Version != _spec.Release.Version)
        {
            return;
        }

        _devicesUpdated++;
        if (device.Faults.Find(FaultKind.SlowBurn) is { } slowBurn)
        {
            Schedule(_now + (long)slowBurn.EffectiveAmount, EventKind.SlowBurnFault, device.Profile.Id, data: slowBurn.Repeat);
        }
    }

    private void WriteEnvironment(SimDevice device, BootEnvironment environment)
    {
        var isCommit = !environment.Trial && device.Environment.Trial;
        if (StepFault(device, PowerCutStep.BootEnvironment) is { } cut)
        {
            // A torn write: a redundant environment keeps its old copy, a single copy is left corrupt.
            if (!_spec.Fleet.RedundantBootEnvironment)
            {
                device.EnvironmentCorrupt = true;
            }

            JournalDevice(device, JournalKind.BootEnvironmentWritten, BootStatus(environment),
                _spec.Fleet.RedundantBootEnvironment ? "torn by power cut; the redundant copy keeps the old environment" : "torn by power cut; the single copy is corrupt");
            CutPower(device, cut);
            return;
        }

        device.Environment = environment;
        device.EnvironmentCorrupt = false;
        JournalDevice(device, JournalKind.BootEnvironmentWritten, BootStatus(environment), "agent");
        if (isCommit && StepFault(device, PowerCutStep.Commit) is { } commitCut)
        {
            CutPower(device, commitCut);
        }
    }

    private void StartSlotWrite(SimDevice device, WriteSlot write)
    {
        device.Slot(write.Slot) = SlotContent.Empty;
        device.CorruptAtRest(write.Slot) = false;
        device.WritingSlot = true;
        device.WritingSlotTarget = write.Slot;
        device.WriteStartMs = _now;
        var duration = DurationMs(write.Manifest.ImageSize, _spec.Timing.WriteBytesPerSecond);
        Schedule(_now + duration, EventKind.SlotWriteDone, device.Profile.Id, device.Epoch, payload: write.Manifest);
        if (StepFault(device, PowerCutStep.WriteSlot) is { } cut)
        {
            Schedule(_now + 1 + device.Random.NextLong(Math.Max(duration - 1, 1)), EventKind.PowerCut, device.Profile.Id,
                device.Epoch, OffMs(cut), cut.Kind.ToName());
        }
    }

    private void OnSlotWriteDone(SimDevice device)
    {
        device.WritingSlot = false;
        var slot = device.WritingSlotTarget;
        var manifest = device.Persisted?.Offer?.Manifest;
        if (manifest is null)
        {
            return;
        }

        var digest = manifest.ImageDigest;
        if (device.Faults.Take(FaultKind.BitFlipOnWrite) is not null)
        {
            digest = FlipOneBit(digest);
            JournalDevice(device, JournalKind.FaultInjected, FaultKind.BitFlipOnWrite.ToName(), $"one bit flipped while writing slot {slot}");
        }

        device.Slot(slot) = new SlotContent(manifest.Version, manifest.SecurityVersion, digest, Valid: true);
        JournalDevice(device, JournalKind.SlotWritten, slot.ToString(), null, manifest.Version, manifest.ImageSize, manifest.ReleaseId);
        if (manifest.Version == _spec.Release.Version && device.Faults.Take(FaultKind.CorruptAtRest) is not null)
        {
            // Corrupted after the write, so read-back passes and the corruption shows only when the image starts.
            device.CorruptAtRest(slot) = true;
            JournalDevice(device, JournalKind.FaultInjected, FaultKind.CorruptAtRest.ToName(), $"slot {slot} corrupted at rest after the write");
        }

        RunAgent(device, new SlotWriteCompleted(slot));
    }

    private static string FlipOneBit(string hexDigest)
    {
        var bytes = Convert.FromHexString(hexDigest);
        bytes[0] ^= 0x01;
        return Convert.ToHexStringLower(bytes);
    }

    private void ComputeDigestOf(SimDevice device, DigestTarget target)
    {
        var manifest = device.Persisted?.Offer?.Manifest;
        string digest;
        long bytes;
        if (target == DigestTarget.DownloadFile)
        {
            bytes = device.DownloadBytes;
            var complete = manifest is not null && bytes == manifest.ImageSize;
            digest = complete && !device.DownloadCorrupt ? manifest!.ImageDigest : "corrupt:" + device.Profile.Id;
        }
        else
        {
            var content = device.Slot(target == DigestTarget.SlotA ? Slot.A : Slot.B);
            digest = content.Valid ? content.Digest : "invalid";
            bytes = manifest?.ImageSize ?? 0;
        }

        var duration = DurationMs(bytes, _spec.Timing.DigestBytesPerSecond);
        Schedule(_now + duration, EventKind.AgentInput, device.Profile.Id, device.Epoch, payload: new DigestComputed(target, digest));
    }

    private static readonly HealthCheckCompleted Healthy = new(true);
    private static readonly HealthCheckCompleted Unhealthy = new(false);

    private void StartHealthCheckOn(SimDevice device)
    {
        if (StepFault(device, PowerCutStep.HealthCheck) is { } cut)
        {
            Schedule(_now + _spec.Timing.HealthCheckMs / 2, EventKind.PowerCut, device.Profile.Id, device.Epoch, OffMs(cut), cut.Kind.ToName());
            return;
        }

        var running = device.Slot(device.RunningSlot);
        var failing = running.Version == _spec.Release.Version && ActiveFault(device, FaultKind.HealthCheckFailure) is not null;
        Schedule(_now + _spec.Timing.HealthCheckMs, EventKind.AgentInput, device.Profile.Id, device.Epoch,
            payload: failing ? Unhealthy : Healthy);
    }

    private void Crash(SimDevice device)
    {
        var version = device.RunningVersion;
        JournalDevice(device, JournalKind.DeviceFault, "crash", "image crashed during start-up", version);
        // The crash reporter sends a critical fault before the watchdog reboots the device.
        SendToServer(device, new FaultReport(device.Profile.Id, version, "crash-on-start", Critical: true));
        Restart(device, "crash");
    }

    private void OnSlowBurn(SimDevice device, in SimEvent e)
    {
        var remaining = e.Data;
        if (!device.Powered || device.Bricked || device.RunningVersion != _spec.Release.Version || remaining <= 0)
        {
            return;
        }

        var spec = device.Faults.Find(FaultKind.SlowBurn)!;
        JournalDevice(device, JournalKind.FaultInjected, FaultKind.SlowBurn.ToName(), "application fault after the update", device.RunningVersion);
        JournalDevice(device, JournalKind.DeviceFault, "critical", "application fault after update", device.RunningVersion);
        SendToServer(device, new FaultReport(device.Profile.Id, device.RunningVersion, "application-fault", Critical: true));
        if (remaining > 1)
        {
            var interval = spec.IntervalMs > 0 ? spec.IntervalMs : FaultDefaults.SlowBurnIntervalMs;
            Schedule(_now + interval, EventKind.SlowBurnFault, device.Profile.Id, data: remaining - 1);
        }
    }

    /// <summary>Reboots: volatile state is lost, the bootloader runs again.</summary>
    private void Restart(SimDevice device, string why)
    {
        DropVolatile(device);
        JournalDevice(device, JournalKind.Boot, "restart", why, device.RunningVersion);
        device.Epoch++;
        Schedule(_now + 1_000, EventKind.Boot, device.Profile.Id, device.Epoch);
    }

    private long OffMs(FaultSpec cut) => cut.EffectiveDurationMs(_spec.Timing.PowerOffMs);

    private void CutPower(SimDevice device, FaultSpec cut) => PowerCut(device, OffMs(cut), cut.Kind.ToName());

    /// <summary>Power is lost at once: volatile state goes, a write in progress is torn at the byte reached, and power
    /// returns after <paramref name="offMs"/>. <paramref name="cause"/> names the fault kind or power pattern.</summary>
    private void PowerCut(SimDevice device, long offMs, string? cause)
    {
        if (!device.Powered)
        {
            return;
        }

        if (device.WritingSlot)
        {
            var written = Math.Min((long)((_now - device.WriteStartMs) * _spec.Timing.WriteBytesPerSecond / 1000.0),
                device.Persisted?.Offer?.Manifest.ImageSize ?? 0);
            device.Slot(device.WritingSlotTarget) = SlotContent.Empty;
            JournalDevice(device, JournalKind.SlotWritten, device.WritingSlotTarget.ToString(), "torn by power cut", value: written);
        }

        DropVolatile(device);
        device.Powered = false;
        device.Epoch++;
        JournalDevice(device, JournalKind.PowerCut, cause, value: offMs);
        Schedule(_now + offMs, EventKind.PowerOn, device.Profile.Id);
    }

    private void DropVolatile(SimDevice device)
    {
        StopTransfer(device);

        device.WritingSlot = false;
        device.Agent = null;
    }

    private static long DurationMs(long bytes, double bytesPerSecond) => (long)Math.Ceiling(bytes * 1000.0 / bytesPerSecond);
}
