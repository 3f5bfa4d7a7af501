using FleetOta.Agent;
using FleetOta.Emulator.Faults;
using FleetOta.Emulator.Fleet;
using FleetOta.Protocol;

namespace FleetOta.Emulator.Simulation;

/// <summary>The hardware model of one simulated device: A/B slots, bootloader environment, persisted agent state,
/// the download file, power and link. The agent core itself is volatile and is dropped on every power loss.</summary>
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
    public readonly SlotContent[] Slots = new SlotContent[2];
    public readonly bool[] CorruptAtRest = new bool[2];
    public BootEnvironment Environment;
    public bool EnvironmentCorrupt;
    public AgentState? Persisted;
    public long DownloadBytes;
    public bool DownloadCorrupt;

    // Volatile state.
    public AgentCore? Agent;
    public bool Powered;
    public bool LinkUp;
    public bool Partitioned;
    public int Epoch;
    public readonly int[] TimerGeneration = new int[4];
    public Slot RunningSlot;
    public bool Bricked;

    // The transfer in progress, if any.
    public bool Transferring;
    public int TransferId;
    public long TransferStartMs;
    public long TransferFrom;
    public long TransferTotal;
    public double TransferRate;
    public bool TransferCorrupt;

    // Running an operation that a power cut can tear.
    public bool WritingSlot;
    public Slot WritingSlotTarget;

    public bool Online => Powered && LinkUp && !Partitioned;

    public string RunningVersion => Powered && !Bricked ? Slots[(int)RunningSlot].Version : "";
}
