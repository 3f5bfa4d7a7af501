namespace FleetOta.Agent.Tests.Rig;

/// <summary>The bootloader environment in flash. Redundant: two copies with a sequence number, a write goes to
/// the older copy, so a torn write keeps the newer one. Single copy: a torn write leaves nothing readable.</summary>
internal sealed class EnvironmentStore
{
    private readonly Copy[] _copies;

    public EnvironmentStore(bool redundant, BootEnvironment initial)
    {
        Redundant = redundant;
        _copies = redundant ? [new Copy(initial, 1, true), new Copy(default, 0, false)] : [new Copy(initial, 1, true)];
    }

    public bool Redundant { get; }

    public int Writes { get; private set; }

    /// <summary>Returns the newest readable copy, or null when none can be read.</summary>
    public BootEnvironment? Read()
    {
        Copy? best = null;
        foreach (var copy in _copies)
        {
            if (copy.Valid && (best is null || copy.Sequence > best.Value.Sequence))
            {
                best = copy;
            }
        }

        return best?.Environment;
    }

    /// <summary>Writes the environment; a torn write leaves the copy it was writing unreadable.</summary>
    public void Write(BootEnvironment environment, bool torn = false)
    {
        Writes++;
        var newest = 0L;
        var target = 0;
        for (var i = 0; i < _copies.Length; i++)
        {
            newest = Math.Max(newest, _copies[i].Valid ? _copies[i].Sequence : 0);
        }

        if (Redundant)
        {
            // Overwrite the copy that is not the newest readable one.
            target = _copies[0].Valid && _copies[0].Sequence == newest ? 1 : 0;
        }

        _copies[target] = torn ? new Copy(default, 0, false) : new Copy(environment, newest + 1, true);
    }

    private readonly record struct Copy(BootEnvironment Environment, long Sequence, bool Valid);
}
