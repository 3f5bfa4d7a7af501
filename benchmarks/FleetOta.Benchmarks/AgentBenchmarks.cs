using BenchmarkDotNet.Attributes;
using FleetOta.Agent;
using FleetOta.Protocol;

namespace FleetOta.Benchmarks;

/// <summary>Event handling of one <see cref="AgentCore"/>: a whole update flow of inputs (boot, offer, a 16 MiB
/// download in 1 MiB progress steps, verification, install, read-back, trial boot, health check, commit,
/// acknowledgements, heartbeat), one output list reused throughout. Divide 10^9 by the time per operation for
/// events per second.</summary>
[MemoryDiagnoser]
public class AgentBenchmarks
{
    private const int ImageBytes = 16 << 20;
    private const int ProgressStep = 1 << 20;

    private readonly List<AgentOutput> _outputs = new(64);
    private readonly AgentOptions _options = new();
    private readonly DeviceIdentity _device = new(0, "gw-300", "A");
    private AgentInput[] _flow = [];
    private ManifestSigner _signer = null!;
    private IManifestVerifier _verifier = null!;
    private EcdsaManifestVerifier _ecdsa = null!;
    private SignedManifest _release = null!;
    private AgentCore _core = null!;

    /// <summary>Inputs in one flow; BenchmarkDotNet divides the time of <see cref="UpdateFlow"/> by it.</summary>
    public const int FlowLength = 29;

    [GlobalSetup]
    public void Setup()
    {
        _signer = ManifestSigner.CreateEphemeral("bench-key");
        _ecdsa = new EcdsaManifestVerifier();
        _ecdsa.Trust(_signer.KeyId, _signer.ExportPublicKey());

        // The emulator caches the check per manifest instance; the check itself is measured in VerifyManifest.
        _verifier = new CachingManifestVerifier(_ecdsa);
        var digest = Digests.Sha256Hex(System.Text.Encoding.UTF8.GetBytes("bench-image"));
        _release = _signer.Sign(new ReleaseManifest("r2.0.0", "2.0.0", 3, digest, ImageBytes, [new HardwareTarget("gw-300", "A")]));
        _core = new AgentCore(_options, _device, _verifier);
        _flow = RecordFlow(digest);
        if (_flow.Length != FlowLength)
        {
            throw new InvalidOperationException($"The recorded flow has {_flow.Length} inputs; FlowLength must be updated to match.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _signer.Dispose();

    [Benchmark(OperationsPerInvoke = FlowLength)]
    public int UpdateFlow()
    {
        var outputs = 0;
        var now = 0L;
        foreach (var input in _flow)
        {
            _outputs.Clear();
            _core.Handle(input, now += 100, _outputs);
            outputs += _outputs.Count;
        }

        return outputs;
    }

    /// <summary>One real ECDSA P-256 signature check of a release manifest, for comparison.</summary>
    [Benchmark]
    public SignatureCheck VerifyManifest() => _ecdsa.Verify(_release);

    /// <summary>Runs the flow once as a host would and records its inputs, including the boot that follows the
    /// agent's reboot and the acknowledgements of the reports it sent.</summary>
    private AgentInput[] RecordFlow(string digest)
    {
        var old = new SlotContent("1.0.0", 3, "old-digest", true);
        var installed = new SlotContent("2.0.0", 3, digest, true);
        var environment = BootEnvironment.Initial(Slot.A);
        var idle = AgentState.Initial(3) with { PreviousVersion = "1.0.0" };
        var flow = new List<AgentInput>
        {
            new Booted(Slot.A, old, SlotContent.Empty, environment, false, idle),
            new MessageReceived(new UpdateOffer(0, _release, "bench://r2.0.0")),
        };
        for (var bytes = ProgressStep; bytes < ImageBytes; bytes += ProgressStep)
        {
            flow.Add(new DownloadProgressed(bytes));
        }

        flow.Add(new DownloadCompleted(ImageBytes));
        flow.Add(new DigestComputed(DigestTarget.DownloadFile, digest));
        flow.Add(new SlotWriteCompleted(Slot.B));
        flow.Add(new DigestComputed(DigestTarget.SlotB, digest));

        var core = new AgentCore(_options, _device, _verifier);
        var outputs = new List<AgentOutput>();
        var sequences = new List<int>();
        AgentState persisted = idle;
        foreach (var input in flow)
        {
            outputs.Clear();
            core.Handle(input, 0, outputs);
            Observe(outputs, ref persisted, ref environment, sequences);
        }

        // The bootloader counts the first trial boot before handing over.
        environment = environment with { BootCount = 1 };
        var afterReboot = new List<AgentInput> { new Booted(Slot.B, old, installed, environment, false, persisted), new HealthCheckCompleted(true) };
        foreach (var input in afterReboot)
        {
            outputs.Clear();
            core.Handle(input, 0, outputs);
            Observe(outputs, ref persisted, ref environment, sequences);
        }

        flow.AddRange(afterReboot);
        flow.AddRange(sequences.Distinct().Select(sequence => new MessageReceived(new StatusAck(0, sequence))));
        flow.Add(new TimerFired(AgentTimer.Heartbeat));
        return flow.ToArray();
    }

    private static void Observe(List<AgentOutput> outputs, ref AgentState persisted, ref BootEnvironment environment, List<int> sequences)
    {
        foreach (var output in outputs)
        {
            switch (output)
            {
                case PersistState persist:
                    persisted = persist.State;
                    break;
                case WriteBootEnvironment write:
                    environment = write.Environment;
                    break;
                case SendMessage { Message: StatusReport report }:
                    sequences.Add(report.Sequence);
                    break;
            }
        }
    }
}
