using FleetOta.Protocol;

namespace FleetOta.Emulator.Fleet;

/// <summary>A value with its share of the fleet. Shares of one list need not add up to 1: they are weights.</summary>
public sealed record Share<T>(T Value, double Weight);

/// <summary>The composition of a generated fleet.</summary>
public sealed record FleetSpec
{
    public int Devices { get; init; } = 1_000;

    /// <summary>Version every device runs at the start, in slot A; slot B is empty.</summary>
    public string InitialVersion { get; init; } = "1.0.0";

    /// <summary>Security version of the initial image.</summary>
    public int InitialSecurityVersion { get; init; } = 1;

    public IReadOnlyList<Share<HardwareTarget>> Hardware { get; init; } = [new(new HardwareTarget("gw-300", "A"), 1)];

    public IReadOnlyList<Share<NetworkProfile>> Networks { get; init; } = [new(NetworkProfile.Ethernet, 1)];

    public IReadOnlyList<Share<ConnectivityPattern>> Connectivity { get; init; } = [new(ConnectivityPattern.AlwaysOn, 1)];

    /// <summary>Power patterns by share. Default: every device on mains power.</summary>
    public IReadOnlyList<Share<PowerPattern>> Power { get; init; } = [new(PowerPattern.Mains, 1)];

    /// <summary>Number of customers; each has one to a few sites.</summary>
    public int Customers { get; init; } = 20;

    /// <summary>Storage capacity of each device's data partition in bytes. Default 2 GiB.</summary>
    public long StorageBytes { get; init; } = 2L << 30;

    /// <summary>Redundant (two copies) bootloader environment; false models a single copy that a torn write corrupts.</summary>
    public bool RedundantBootEnvironment { get; init; } = true;

    /// <summary>Boot limit written to every device's bootloader environment. Default 3.</summary>
    public int BootLimit { get; init; } = 3;
}

/// <summary>One generated device.</summary>
/// <param name="UtcOffsetMinutes">Standard offset of the site's time zone from UTC; daylight saving time is not modelled.</param>
/// <param name="StorageBytes">Capacity of the data partition that holds the download file.</param>
/// <param name="ClockSkewMs">Offset of the device clock from server time; the agent core runs on the device clock.</param>
public sealed record DeviceProfile(
    int Id,
    string Name,
    HardwareTarget Hardware,
    NetworkProfile Network,
    ConnectivityPattern Connectivity,
    string Customer,
    string Site,
    string TimeZone,
    int UtcOffsetMinutes,
    long StorageBytes,
    long ClockSkewMs)
{
    public PowerPattern Power { get; init; } = PowerPattern.Mains;
}
