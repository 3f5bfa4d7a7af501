using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FleetOta.Protocol.Wire;
using FleetOta.Server.Host.Control;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace FleetOta.Server.Host.Http;

/// <summary>Maps the management API: releases, deployments, rollout control, recovery actions and fleet status.</summary>
internal static class ManagementEndpoints
{
    public static void Map(IEndpointRouteBuilder app, RolloutEngine engine, ServerHostOptions options, Func<ServerInfoView> serverInfo)
    {
        var api = app.MapGroup("").AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context).ConfigureAwait(false);
            }
            catch (ApiException error)
            {
                return error.ToResult();
            }
        });

        api.MapGet(HttpPaths.ServerInfo, () => Results.Json(serverInfo(), ApiJsonContext.Default.ServerInfoView));
        api.MapGet(HttpPaths.SigningKey, () => Results.Json(
            new SigningKeyView(engine.Signer.KeyId, "ECDSA P-256 SHA-256", Convert.ToBase64String(engine.Signer.ExportPublicKey())),
            ApiJsonContext.Default.SigningKeyView));

        api.MapPost(HttpPaths.Releases, async (HttpRequest request) =>
        {
            var body = await ReadAsync(request, ApiJsonContext.Default.RegisterReleaseRequest).ConfigureAwait(false);
            var release = engine.RegisterRelease(RequestValidation.Validate(body, options.MaxImageBytes));
            return Results.Json(release, ApiJsonContext.Default.ReleaseView, statusCode: StatusCodes.Status201Created);
        });
        api.MapGet(HttpPaths.Releases, () => Results.Json(engine.ListReleases(), ApiJsonContext.Default.IReadOnlyListReleaseView));
        api.MapGet(HttpPaths.ReleaseTemplate, (string releaseId) => Results.Json(engine.GetRelease(releaseId), ApiJsonContext.Default.ReleaseView));

        api.MapPost(HttpPaths.Deployments, async (HttpRequest request) =>
        {
            var body = await ReadAsync(request, ApiJsonContext.Default.StartDeploymentRequest).ConfigureAwait(false);
            var deployment = engine.StartDeployment(RequestValidation.Validate(body));
            return Results.Json(deployment, ApiJsonContext.Default.DeploymentView, statusCode: StatusCodes.Status201Created);
        });
        api.MapGet(HttpPaths.Deployments, () => Results.Json(engine.ListDeployments(), ApiJsonContext.Default.IReadOnlyListDeploymentView));
        api.MapGet(HttpPaths.DeploymentTemplate, (string deploymentId) =>
            Results.Json(engine.GetDeployment(deploymentId), ApiJsonContext.Default.DeploymentView));

        MapControl(api, engine, HttpPaths.PauseTemplate, OperatorActionKind.Pause);
        MapControl(api, engine, HttpPaths.ResumeTemplate, OperatorActionKind.Resume);
        MapControl(api, engine, HttpPaths.AbortTemplate, OperatorActionKind.Abort);
        MapRecovery(api, engine, HttpPaths.RetryFailedTemplate, OperatorActionKind.RetryFailed);
        MapRecovery(api, engine, HttpPaths.ForceRollbackTemplate, OperatorActionKind.ForceRollback);
        MapRecovery(api, engine, HttpPaths.RedeployPreviousTemplate, OperatorActionKind.RedeployPrevious);

        api.MapGet(HttpPaths.Fleet, () => Results.Json(engine.Fleet(), ApiJsonContext.Default.FleetView));
    }

    private static void MapControl(RouteGroupBuilder api, RolloutEngine engine, string template, OperatorActionKind kind) =>
        api.MapPost(template, (string deploymentId) => Results.Json(engine.Control(deploymentId, kind), ApiJsonContext.Default.DeploymentView));

    private static void MapRecovery(RouteGroupBuilder api, RolloutEngine engine, string template, OperatorActionKind kind) =>
        api.MapPost(template, async (string deploymentId, HttpRequest request) =>
        {
            var selection = request.ContentLength is 0 || (request.ContentLength is null && !request.HasJsonContentType())
                ? null
                : await ReadAsync(request, ApiJsonContext.Default.DeviceSelection).ConfigureAwait(false);
            var result = engine.Recover(deploymentId, kind, RequestValidation.Device(selection));
            return Results.Json(result, ApiJsonContext.Default.RecoveryResult);
        });

    /// <summary>Reads a JSON body, turning a malformed one into a 400 that names the JSON path where reading stopped.</summary>
    private static async Task<T?> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> type)
    {
        if (!request.HasJsonContentType())
        {
            throw new ApiException(StatusCodes.Status415UnsupportedMediaType, null,
                $"The request body has content type '{request.ContentType}'; send JSON with Content-Type: application/json.");
        }

        try
        {
            return await JsonSerializer.DeserializeAsync(request.Body, type, request.HttpContext.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException error)
        {
            var field = string.IsNullOrEmpty(error.Path) ? "$" : error.Path.TrimStart('$', '.');
            throw ApiException.BadRequest(field,
                $"The request body is not valid JSON for this request at {error.Path ?? "$"} (line {error.LineNumber + 1}, byte {error.BytePositionInLine + 1}): {FirstSentence(error.Message)} Fix the member's type or syntax.");
        }
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}
