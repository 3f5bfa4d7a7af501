using FleetOta.Agent;
using FleetOta.Emulator.Faults;
using FleetOta.Emulator.Fleet;
using FleetOta.Protocol;

namespace FleetOta.Emulator.Simulation;

/// <summary>The hardware model of one simulated device: A/B slots, bootloader environment, persisted agent state,
/// storage with the download file, clock, power and link. The agent core itself is volatile and is dropped on
/// every power loss.</summary>
internal sealed class SimDevice
{
    public SimDevice(DeviceProfile profile, long seed)
    {
        Profile = profile;
        Random = new SimRandom(seed, profile.Id + 1);
    }

    public DeviceProfile Profile { get; }

    public SimRandom Random;

    public DeviceFaults Faults = DeviceFaults.None;

    // Storage that survives a power cut.
    public SlotContent SlotA;
    public SlotContent SlotB;
    public bool CorruptAtRestA;
    public bool CorruptAtRestB;
    public BootEnvironment Environment;
    public bool EnvironmentCorrupt;
    public AgentState? Persisted;
    public long DownloadBytes;
    public bool DownloadCorrupt;

    /// <summary>Bytes of the data partition used by other data than the download file.</summary>
    public long StorageUsedBytes;

    // Volatile state.
    public AgentCore? Agent;
    public bool Powered;
    public bool LinkUp;
    public int Partitions;
    public int Epoch;
    public TimerGenerations Timers;
    public Slot RunningSlot;
    public bool Bricked;
    public bool BootFellBack;

    // The transfer in progress, if any.
    public bool Transferring;
    public int TransferId;
    public long TransferStartMs;
    public long TransferFrom;
    public long TransferTotal;
    public double TransferRate;
    public bool TransferCorrupt;
    public bool TransferTruncated;

    // A slot write in progress, which a power cut tears.
    public bool WritingSlot;
    public Slot WritingSlotTarget;
    public long WriteStartMs;

    public bool Partitioned => Partitions > 0;

    public bool Online => Powered && LinkUp && Partitions == 0;

    public string RunningVersion => Powered && !Bricked ? Slot(RunningSlot).Version : "";

    /// <summary>Device clock time at virtual (server) time <paramref name="nowMs"/>.</summary>
    public long DeviceTime(long nowMs) => nowMs + Profile.ClockSkewMs;

    /// <summary>Virtual (server) time at device clock time <paramref name="deviceMs"/>.</summary>
    public long ServerTime(long deviceMs) => deviceMs - Profile.ClockSkewMs;

    public ref SlotContent Slot(Slot slot) => ref slot == Protocol.Slot.A ? ref SlotA : ref SlotB;

    public ref bool CorruptAtRest(Slot slot) => ref slot == Protocol.Slot.A ? ref CorruptAtRestA : ref CorruptAtRestB;
}

/// <summary>The generation of each agent timer, indexed by <see cref="AgentTimer"/>: a timer event fires only if its
/// generation is still current, so a cancelled or replaced timer needs no removal from the event queue.</summary>
[System.Runtime.CompilerServices.InlineArray(4)]
internal struct TimerGenerations
{
    private int _first;
}
