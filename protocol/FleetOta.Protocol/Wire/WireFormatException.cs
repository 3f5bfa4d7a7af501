namespace FleetOta.Protocol.Wire;

/// <summary>Raised when a payload is not a valid protocol message. The message names the field, the value found
/// and what a valid value looks like.</summary>
public sealed class WireFormatException : Exception
{
    public WireFormatException(string message)
        : base(message)
    {
    }

    public WireFormatException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
