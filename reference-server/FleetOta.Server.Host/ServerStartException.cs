namespace FleetOta.Server.Host;

/// <summary>Why the server failed to start.</summary>
public enum ServerStartFailure
{
    /// <summary>A file in the data folder is missing, unreadable, corrupt or disagrees with another file.</summary>
    InvalidDataFolder,

    /// <summary>A port could not be bound or the broker could not be reached.</summary>
    NetworkUnavailable,
}

/// <summary>The server failed to start. The message names the file, port or broker, what is wrong and what to do,
/// so a command line prints it as it is. It derives from <see cref="InvalidOperationException"/>, which the host
/// raised for a failed start before, so callers that catch that type still catch it.</summary>
public sealed class ServerStartException(ServerStartFailure failure, string message, Exception? innerException = null)
    : InvalidOperationException(message, innerException)
{
    public ServerStartFailure Failure { get; } = failure;
}
