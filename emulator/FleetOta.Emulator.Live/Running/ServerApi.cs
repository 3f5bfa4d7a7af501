using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using FleetOta.Emulator.Simulation;
using FleetOta.Protocol;
using FleetOta.Protocol.Wire;
using FleetOta.Server;

namespace FleetOta.Emulator.Live.Running;

/// <summary>The runner's client of the server's management API: release registration, deployment start and operator
/// actions, as an operator would send them.</summary>
internal sealed class ServerApi(Uri server) : IDisposable
{
    private HttpClient _http = new() { BaseAddress = server, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>Points the client at a restarted server; its address is the same unless the port changed.</summary>
    public void Rebind(Uri restarted)
    {
        _http.Dispose();
        _http = new HttpClient { BaseAddress = restarted, Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task RegisterReleaseAsync(
        string releaseId, string version, int securityVersion, IReadOnlyList<HardwareTarget> hardware, byte[] image, CancellationToken token)
    {
        var body = new JsonObject
        {
            ["releaseId"] = releaseId,
            ["version"] = version,
            ["securityVersion"] = securityVersion,
            ["compatibleHardware"] = new JsonArray(hardware.Select(target => (JsonNode)new JsonObject
            {
                ["model"] = target.Model,
                ["revision"] = target.Revision,
            }).ToArray()),
            ["image"] = Convert.ToBase64String(image),
        };
        await PostAsync(HttpPaths.Releases, body, token).ConfigureAwait(false);
    }

    /// <summary>Starts the deployment of the scenario's release and returns its id.</summary>
    public async Task<string> StartDeploymentAsync(SimulationSpec spec, string previousReleaseId, IReadOnlyList<int> targets, CancellationToken token)
    {
        var rollout = spec.Rollout;
        var body = new JsonObject
        {
            ["releaseId"] = spec.Release.Id,
            ["previousReleaseId"] = previousReleaseId,
            ["targets"] = new JsonArray(targets.Select(id => (JsonNode)JsonValue.Create(id)).ToArray()),
            ["options"] = new JsonObject
            {
                ["waves"] = new JsonArray(rollout.Waves.Select(Wave).ToArray()),
                ["gateSuccessShare"] = rollout.GateSuccessShare,
                ["gateSoakMs"] = rollout.GateSoakMs,
                ["gateFinishedShare"] = rollout.GateFinishedShare,
                ["waveMaxDurationMs"] = rollout.WaveMaxDurationMs,
                ["offerSpreadMs"] = rollout.OfferSpreadMs,
                ["offerRepeatMs"] = rollout.OfferRepeatMs,
                ["silentAfterUpdateMs"] = rollout.SilentAfterUpdateMs,
                ["maxAttempts"] = rollout.MaxAttempts,
                ["tickMs"] = rollout.TickMs,
                ["seed"] = spec.Seed,
                ["faultMonitor"] = new JsonObject
                {
                    ["limit"] = rollout.FaultMonitor.Limit,
                    ["windowMs"] = rollout.FaultMonitor.WindowMs,
                    ["minimumSample"] = rollout.FaultMonitor.MinimumSample,
                    ["autoPause"] = rollout.FaultMonitor.AutoPause,
                    ["alert"] = rollout.FaultMonitor.Alert,
                },
                ["recovery"] = new JsonObject
                {
                    ["enabled"] = rollout.Recovery.Enabled,
                    ["retryDelayMs"] = rollout.Recovery.RetryDelayMs,
                    ["redeployPrevious"] = rollout.Recovery.RedeployPrevious,
                    ["forceRollbackStuck"] = rollout.Recovery.ForceRollbackStuck,
                },
            },
        };
        var response = await PostAsync(HttpPaths.Deployments, body, token).ConfigureAwait(false);
        return response.GetProperty("deploymentId").GetString()!;
    }

    public Task OperatorAsync(string deploymentId, OperatorStep step, CancellationToken token)
    {
        var path = step.Action switch
        {
            OperatorActionKind.Pause => HttpPaths.Pause(deploymentId),
            OperatorActionKind.Resume => HttpPaths.Resume(deploymentId),
            OperatorActionKind.Abort => HttpPaths.Abort(deploymentId),
            OperatorActionKind.RetryFailed => HttpPaths.RetryFailed(deploymentId),
            OperatorActionKind.ForceRollback => HttpPaths.ForceRollback(deploymentId),
            OperatorActionKind.RedeployPrevious => HttpPaths.RedeployPrevious(deploymentId),
            _ => throw new ArgumentOutOfRangeException(nameof(step), step.Action, "Unknown operator action."),
        };
        var body = step.Device is { } device ? new JsonObject { ["device"] = device } : null;
        return PostAsync(path, body, token);
    }

    /// <summary>Returns the rollout phase of the deployment and the devices that run <paramref name="version"/>, or
    /// null when the server does not respond within five seconds, as while a controller restart keeps it down. Before
    /// the deployment starts (<paramref name="deploymentId"/> empty) the phase is null.</summary>
    public async Task<(int DevicesUpdated, string? Phase)?> TryGetProgressAsync(string deploymentId, string version, CancellationToken token)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            using var fleet = await GetAsync(HttpPaths.Fleet, timeout.Token).ConfigureAwait(false);
            var updated = fleet.RootElement.TryGetProperty("versions", out var versions) && versions.TryGetProperty(version, out var count)
                ? count.GetInt32()
                : 0;
            string? phase = null;
            if (deploymentId.Length > 0)
            {
                using var deployment = await GetAsync(HttpPaths.Deployment(deploymentId), timeout.Token).ConfigureAwait(false);
                phase = deployment.RootElement.GetProperty("phase").GetString();
            }

            return (updated, phase);
        }
        catch (Exception failure) when (failure is HttpRequestException or JsonException or KeyNotFoundException or InvalidOperationException
                                            || (failure is OperationCanceledException && !token.IsCancellationRequested))
        {
            return null;
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<JsonDocument> GetAsync(string path, CancellationToken token)
    {
        using var response = await _http.GetAsync(path.TrimStart('/'), token).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var text = await response.Content.ReadAsStringAsync(token).ConfigureAwait(false);
        return JsonDocument.Parse(text);
    }

    private static JsonNode Wave(WaveSpec wave) => wave.Count is { } count
        ? new JsonObject { ["count"] = count }
        : new JsonObject { ["percent"] = wave.Share!.Value * 100 };

    private async Task<JsonElement> PostAsync(string path, JsonObject? body, CancellationToken token)
    {
        using var response = body is null
            ? await _http.PostAsync(path.TrimStart('/'), null, token).ConfigureAwait(false)
            : await _http.PostAsJsonAsync(path.TrimStart('/'), body, token).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(token).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path} to the server at {_http.BaseAddress} failed with {(int)response.StatusCode}: {text}");
        }

        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }
}
