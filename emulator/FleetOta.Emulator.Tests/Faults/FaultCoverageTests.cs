using System.Reflection;
using FleetOta.Emulator.Faults;

namespace FleetOta.Emulator.Tests.Faults;

public sealed class FaultCoverageTests
{
    /// <summary>Every fault kind is named in a test of this folder, so a new kind without a test fails here.</summary>
    [Fact]
    public void FaultKinds_EachHasTest()
    {
        var tests = typeof(FaultCoverageTests).Assembly.GetTypes()
            .Where(type => type.Namespace == typeof(FaultCoverageTests).Namespace && type != typeof(FaultCoverageTests))
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Instance))
            .Select(method => method.Name)
            .ToList();

        foreach (var kind in Enum.GetValues<FaultKind>())
        {
            tests.Should().Contain(name => name.StartsWith(kind + "_", StringComparison.Ordinal) || name == "ImageFault_Injected_AgentRejectsImage"
                && ImageKinds.Contains(kind), $"fault kind {kind} needs a test");
        }
    }

    private static readonly FaultKind[] ImageKinds =
        [FaultKind.CorruptInTransit, FaultKind.BitFlipOnWrite, FaultKind.Truncated, FaultKind.BadSignature, FaultKind.WrongHardware, FaultKind.Downgrade];
}
