using System.Security.Cryptography;
using FleetOta.Agent;
using FleetOta.Emulator.Faults;
using FleetOta.Journal;
using FleetOta.Protocol;

namespace FleetOta.Emulator.Live.Devices;

internal sealed partial class LiveDevice
{
    /// <summary>Powers the device on: the bootloader runs, and the agent starts after the boot time.</summary>
    public Task PowerOnAsync() => RunLockedAsync(_epoch, PowerOnLockedAsync);

    /// <summary>Cuts power at once: every operation in flight stops where it is, and the rest of the cut (torn
    /// files, journal, dropping the agent) follows under the gate. Power returns after <paramref name="offMs"/>.</summary>
    public Task CutPowerAsync(long offMs) => CutPowerAsync(offMs, epoch: null);

    private async Task CutPowerAsync(long offMs, int? epoch)
    {
        if (epoch is { } expected && expected != Volatile.Read(ref _epoch))
        {
            return;
        }

        // Cancelling first stops a write or download in the middle, before the gate is free.
        await _life.CancelAsync().ConfigureAwait(false);
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!_stopped && (epoch is null || epoch == _epoch))
            {
                await CutPowerLockedAsync(offMs).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task PowerOnLockedAsync()
    {
        if (_powered || _stopped)
        {
            return;
        }

        if (_epoch > 0)
        {
            Journal(JournalKind.PowerRestore);
        }

        _powered = true;
        _epoch++;
        await BootLockedAsync().ConfigureAwait(false);
    }

    /// <summary>Runs the bootloader over the files: picks the slot, writes the environment if it changed, and
    /// starts the agent after the boot time.</summary>
    private async Task BootLockedAsync()
    {
        _life = new CancellationTokenSource();
        _storage.RemoveTemporaryFiles();
        var stored = _storage.ReadEnvironment();
        // An unreadable environment is read as a trial of slot A, as in the simulation host.
        var environment = stored ?? BootEnvironment.Unreadable(Spec.Fleet.BootLimit);
        var slotA = _storage.ReadSlot(Slot.A);
        var slotB = _storage.ReadSlot(Slot.B);
        var decision = Bootloader.Decide(environment, slotA, slotB);
        if (decision.EnvironmentChanged || stored is null)
        {
            await _storage.WriteEnvironmentAsync(decision.Environment, tearAfterBytes: null, _life.Token).ConfigureAwait(false);
            Journal(JournalKind.BootEnvironmentWritten, BootStatus(decision.Environment),
                stored is null ? "bootloader, replacing a corrupt environment" : "bootloader");
        }

        if (decision.FellBack)
        {
            Journal(JournalKind.BootloaderFallback, decision.Boot?.ToString(), "trial boot limit exceeded or slot invalid");
        }

        if (decision.Boot is not { } slot)
        {
            _bricked = true;
            Journal(JournalKind.Boot, "none", "no bootable slot");
            return;
        }

        _bricked = false;
        _runningSlot = slot;
        var content = slot == Slot.A ? slotA : slotB;
        Journal(JournalKind.Boot, slot.ToString(), decision.Environment.Trial ? "trial" : null, content.Version, decision.Environment.BootCount);

        if (decision.Environment.Trial && Faults.Take(FaultKind.PowerCut, PowerCutStep.FirstBoot) is { } cut)
        {
            await CutPowerLockedAsync(OffTime(cut)).ConfigureAwait(false);
            return;
        }

        var epoch = _epoch;
        var booted = new Booted(slot, slotA, slotB, decision.Environment, decision.FellBack, null);
        var life = _life.Token;
        AtVirtualDelay(Spec.Timing.BootMs, () => AgentUpAsync(booted, epoch, life));
        if (await CrashesOnStartAsync(slot, content).ConfigureAwait(false))
        {
            AtVirtualDelay(Spec.Timing.BootMs + Spec.Timing.CrashAfterMs, () => RunLockedAsync(epoch, CrashLockedAsync));
        }
    }

    private static string BootStatus(BootEnvironment environment) =>
        $"active={environment.Active} trial={(environment.Trial ? 1 : 0)} count={environment.BootCount}";

    /// <summary>A crash-looping release crashes on every device the fault hits. An image corrupted at rest crashes
    /// because its bytes no longer match the digest written with it; only devices with that fault can have such a
    /// slot, so only they pay for hashing the slot at boot.</summary>
    private async Task<bool> CrashesOnStartAsync(Slot slot, SlotContent content)
    {
        if (content.Version == Spec.Release.Version && Faults.Find(FaultKind.CrashLoop) is not null)
        {
            return true;
        }

        if (Faults.Find(FaultKind.CorruptAtRest) is null)
        {
            return false;
        }

        return await HashFileAsync(_storage.SlotImagePath(slot), _life.Token).ConfigureAwait(false) != content.Digest;
    }

    /// <summary>Starts the agent: connects the MQTT link first, outside the device gate so that a slow broker holds up
    /// no other device work, then hands the agent the boot facts and the persisted state.</summary>
    private async Task AgentUpAsync(Booted booted, int epoch, CancellationToken life)
    {
        var link = CreateLink(epoch);
        var connected = !_partitioned && await ConnectQuietlyAsync(link, life).ConfigureAwait(false);
        var adopted = false;
        await RunLockedAsync(epoch, async () =>
        {
            adopted = true;
            _link = link;
            _agent = new AgentCore(Spec.Agent, new DeviceIdentity(Id, Profile.Hardware.Model, Profile.Hardware.Revision), _context.Verifier);
            await RunAgentLockedAsync(booted with { Persisted = _storage.ReadState() }).ConfigureAwait(false);
            if (_agent is not null && epoch == _epoch && !connected)
            {
                await RunAgentLockedAsync(new ConnectivityChanged(false)).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
        if (!adopted)
        {
            await link.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task<bool> ConnectQuietlyAsync(MqttLink link, CancellationToken life)
    {
        try
        {
            return await link.ConnectAsync(life).ConfigureAwait(false);
        }
        catch (Exception error) when (error is OperationCanceledException || life.IsCancellationRequested)
        {
            // Power was cut during the connect: the attempt ends with whatever error the client raises.
            return false;
        }
    }

    private async Task CrashLockedAsync()
    {
        var version = RunningVersion;
        Journal(JournalKind.DeviceFault, "crash", "image crashed during start-up", version);
        // The crash reporter sends a critical fault before the watchdog reboots the device.
        await SendLockedAsync(new FaultReport(Id, version, "crash-on-start", Critical: true)).ConfigureAwait(false);
        await RestartLockedAsync("crash").ConfigureAwait(false);
    }

    /// <summary>Reboots: volatile state is lost and the bootloader runs again after one second.</summary>
    private async Task RestartLockedAsync(string why)
    {
        var version = RunningVersion;
        await DropVolatileLockedAsync().ConfigureAwait(false);
        Journal(JournalKind.Boot, "restart", why, version);
        _epoch++;
        var epoch = _epoch;
        AtVirtualDelay(1_000, () => RunLockedAsync(epoch, BootLockedAsync));
    }

    /// <summary>Power is lost: a slot write in progress is torn at the byte it reached, volatile state goes, and
    /// power returns after <paramref name="offMs"/>.</summary>
    private async Task CutPowerLockedAsync(long offMs)
    {
        if (!_powered)
        {
            return;
        }

        await _life.CancelAsync().ConfigureAwait(false);
        if (_slotWrite is { } write)
        {
            await write.Task.ConfigureAwait(false);
            if (!write.Finished)
            {
                TearSlot(write);
            }
        }

        await DropVolatileLockedAsync().ConfigureAwait(false);
        _powered = false;
        _epoch++;
        Journal(JournalKind.PowerCut, value: offMs);
        var timer = _context.Clock.CreateTimer(_ => Forget(PowerOnAsync()), null, TimeSpan.FromMilliseconds(offMs), Timeout.InfiniteTimeSpan);
        lock (_deviceTimers)
        {
            _deviceTimers.Add(timer);
        }
    }

    private void TearSlot(SlotWriteState write)
    {
        using (var file = new FileStream(_storage.SlotImagePath(write.Slot), FileMode.OpenOrCreate, FileAccess.Write))
        {
            file.SetLength(Math.Min(file.Length, write.BytesWritten));
        }

        Journal(JournalKind.SlotWritten, write.Slot.ToString(), "torn by power cut", value: write.BytesWritten);
    }

    /// <summary>Drops what a power cut or reboot loses: the agent core, its link, its timers and operations in flight.</summary>
    private async Task DropVolatileLockedAsync()
    {
        await _life.CancelAsync().ConfigureAwait(false);
        for (var i = 0; i < _agentTimers.Length; i++)
        {
            _agentTimers[i]?.Dispose();
            _agentTimers[i] = null;
        }

        lock (_lifeTimers)
        {
            foreach (var timer in _lifeTimers)
            {
                timer.Dispose();
            }

            _lifeTimers.Clear();
        }

        _transfer = null;
        _slotWrite = null;
        _agent = null;
        if (_link is { } link)
        {
            // Disposing an MQTTnet client can block for a while. A device whose power is gone does not wait for its
            // socket to close, so the device does not wait for the disposal either.
            _link = null;
            _ = Task.Run(async () => await link.DisposeAsync().ConfigureAwait(false));
        }
    }

    private static async Task<string> HashFileAsync(string path, CancellationToken token)
    {
        if (!File.Exists(path))
        {
            return "missing";
        }

        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 16_384, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, token).ConfigureAwait(false));
        }
    }
}
