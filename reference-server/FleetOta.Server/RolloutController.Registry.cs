using FleetOta.Protocol;

namespace FleetOta.Server;

/// <summary>What the device registry stores about one device.</summary>
/// <param name="Hardware">Null until the device is registered.</param>
/// <param name="RunningVersion">From the last heartbeat or status report; empty until the device is heard from.</param>
/// <param name="LastSeenMs">Time of the last message received from the device, or -1.</param>
public sealed record DeviceInfo(
    int Id,
    string Name,
    HardwareTarget? Hardware,
    string RunningVersion,
    long LastSeenMs,
    ActionState State,
    int Attempts);

public sealed partial class RolloutController
{
    /// <summary>Returns the registry record and action state of one device.</summary>
    public DeviceInfo Device(int device)
    {
        if ((uint)device >= (uint)_devices.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(device), device, $"The fleet has devices 0 to {_devices.Length - 1}.");
        }

        var action = _devices[device];
        var hardware = action.HardwareModel.Length == 0 ? null : new HardwareTarget(action.HardwareModel, action.HardwareRevision);
        return new DeviceInfo(device, action.Name, hardware, action.RunningVersion, action.LastSeenMs, action.State, action.Attempts);
    }

    /// <summary>Returns the registered devices whose hardware the release supports, in device order.</summary>
    public IReadOnlyList<int> CompatibleDevices(ReleaseManifest release)
    {
        var devices = new List<int>();
        for (var device = 0; device < _devices.Length; device++)
        {
            var action = _devices[device];
            if (action.HardwareModel.Length > 0 && release.Supports(action.HardwareModel, action.HardwareRevision))
            {
                devices.Add(device);
            }
        }

        return devices;
    }

    private void Register(RegisterDevice registration)
    {
        var device = registration.DeviceId;
        if ((uint)device >= (uint)_devices.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(registration), device,
                $"Device {device} ('{registration.Name}') is outside the fleet of {_devices.Length} devices (0 to {_devices.Length - 1}).");
        }

        var action = Mutable(device);
        action.Name = registration.Name;
        action.HardwareModel = registration.Hardware.Model;
        action.HardwareRevision = registration.Hardware.Revision;
    }
}
