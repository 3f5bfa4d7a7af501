using FleetOta.Protocol;
using FleetOta.Server;

namespace FleetOta.Agent.Tests.Rig;

internal sealed partial class DeviceRig
{
    private long _serverWakeAtMs = long.MaxValue;
    private int _serverWakeGeneration;

    /// <summary>Feeds one input to the agent and carries out its outputs in order, stopping at a power cut or reboot.</summary>
    private void RunAgent(AgentInput input)
    {
        if (_agent is null)
        {
            return;
        }

        var outputs = new List<AgentOutput>();
        _agent.Handle(input, NowMs, outputs);
        var epoch = _epoch;
        foreach (var output in outputs)
        {
            if (epoch != _epoch || !Powered)
            {
                return;
            }

            Apply(output);
        }
    }

    private void Apply(AgentOutput output)
    {
        switch (output)
        {
            case SendMessage send:
                var sent = send.Message is StatusReport report ? $"send status {report.Status.ToWire()}" : $"send {send.Message.Type}";
                if (!Step(StepKind.Send, sent))
                {
                    SendToServer(send.Message);
                }

                break;
            case SetTimer set:
                if (!Step(StepKind.Timer, $"set timer {set.Timer}"))
                {
                    var generation = ++_timerGenerations[(int)set.Timer];
                    ScheduleOnDevice(set.AtMs, () =>
                    {
                        if (_timerGenerations[(int)set.Timer] == generation)
                        {
                            RunAgent(new TimerFired(set.Timer));
                        }
                    });
                }

                break;
            case CancelTimer cancel:
                if (!Step(StepKind.Timer, $"cancel timer {cancel.Timer}"))
                {
                    _timerGenerations[(int)cancel.Timer]++;
                }

                break;
            case StartDownload start:
                if (!Step(StepKind.StartDownload, $"start download from {start.FromOffset}"))
                {
                    StartTransfer(start);
                }

                break;
            case DiscardDownload:
                if (!Step(StepKind.DiscardDownload, "delete the download file"))
                {
                    _transfer++;
                    DownloadFile = null;
                }

                break;
            case ComputeDigest compute:
                if (!Step(StepKind.ComputeDigest, $"digest of {compute.Target}"))
                {
                    var digest = Digests.Sha256Hex(BytesOf(compute.Target));
                    ScheduleOnDevice(NowMs + Options.DigestMs, () => RunAgent(new DigestComputed(compute.Target, digest)));
                }

                break;
            case WriteSlot write:
                StartSlotWrite(write);
                break;
            case WriteBootEnvironment write:
                var torn = Step(StepKind.AgentEnvironmentWrite, $"agent writes {Describe(write.Environment)}");
                Environment.Write(write.Environment, torn);
                EnvironmentWrites.Add(write.Environment);
                break;
            case PersistState persist:
                // The agent state file is replaced atomically (write and rename), so a torn write keeps the old state.
                if (!Step(StepKind.PersistState, $"persist {persist.State.Phase}"))
                {
                    Persisted = persist.State;
                }

                break;
            case FleetOta.Agent.StartHealthCheck:
                if (!Step(StepKind.HealthCheck, "start the health check"))
                {
                    RunHealthCheck();
                }

                break;
            case FleetOta.Agent.Reboot:
                if (!Step(StepKind.Reboot, "reboot"))
                {
                    Restart(_epoch);
                }

                break;
            case LogEvent log:
                if (!Step(StepKind.Log, $"log {log.Kind}"))
                {
                    Logs.Add(log);
                }

                break;
            default:
                throw new InvalidOperationException($"The rig has no handler for output {output.GetType().Name}.");
        }
    }

    private byte[] BytesOf(DigestTarget target) => target switch
    {
        DigestTarget.DownloadFile => DownloadFile?.ToArray() ?? [],
        DigestTarget.SlotA => SlotBytes[0],
        _ => SlotBytes[1],
    };

    private void RunHealthCheck()
    {
        var healthy = BehaviourOf(RunningVersion) switch
        {
            ImageBehaviour.Healthy => true,
            ImageBehaviour.FailsHealthCheck => false,
            _ => (bool?)null,
        };
        if (healthy is { } result)
        {
            ScheduleOnDevice(NowMs + Options.HealthCheckMs, () => RunAgent(new HealthCheckCompleted(result)));
        }
    }

    private void SendToServer(DeviceMessage message)
    {
        if (Link.Judge(message, NowMs) == LinkOutcome.Delivered)
        {
            Schedule(NowMs + Options.LatencyMs, () => RunController(new Delivered(message)));
        }
    }

    /// <summary>Sends a message from the server side to the device over the link, as the controller would.</summary>
    public void SendFromServer(ServerMessage message)
    {
        if (Link.Judge(message, NowMs) == LinkOutcome.Delivered)
        {
            Schedule(NowMs + Options.LatencyMs, () => DeliverToDevice(message));
        }
    }

    /// <summary>Applies an operator action on the real controller.</summary>
    public void Operator(OperatorActionKind kind) => RunController(new OperatorAction(kind, DeviceId));

    private void RunController(ControllerInput input)
    {
        var outputs = new List<ControllerOutput>();
        Controller.Handle(input, NowMs, outputs);
        foreach (var output in outputs)
        {
            if (output is SendToDevice { Message: var message } && Link.Judge(message, NowMs) == LinkOutcome.Delivered)
            {
                Schedule(NowMs + Options.LatencyMs, () => DeliverToDevice(message));
            }
        }

        ScheduleServerWake();
    }

    private void DeliverToDevice(ServerMessage message)
    {
        if (Powered && _agent is not null && Link.Up)
        {
            RunAgent(new MessageReceived(message));
        }
    }

    private void ScheduleServerWake()
    {
        // Before a deployment starts the controller requests no wake-up (its next tick time is 0).
        var at = Controller.NextWakeUpMs;
        if (at <= 0 || at >= _serverWakeAtMs)
        {
            return;
        }

        at = Math.Max(at, NowMs);
        _serverWakeAtMs = at;
        var generation = ++_serverWakeGeneration;
        Schedule(at, () =>
        {
            if (generation != _serverWakeGeneration)
            {
                return;
            }

            _serverWakeAtMs = long.MaxValue;
            RunController(Tick.Instance);
        });
    }
}
