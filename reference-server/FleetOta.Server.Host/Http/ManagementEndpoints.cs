using FleetOta.Protocol.Wire;
using FleetOta.Server.Host.Control;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace FleetOta.Server.Host.Http;

/// <summary>Maps the management API: releases, deployments, rollout control, recovery actions and fleet status.</summary>
internal static class ManagementEndpoints
{
    public static void Map(IEndpointRouteBuilder app, RolloutEngine engine, ServerHostOptions options, Func<ServerInfoView> serverInfo, ILogger logger)
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
            var body = await JsonRequestReader.ReadAsync(request, ApiJsonContext.Default.RegisterReleaseRequest, logger).ConfigureAwait(false);
            var release = engine.RegisterRelease(RequestValidation.Validate(body, options.MaxImageBytes));
            return Results.Json(release, ApiJsonContext.Default.ReleaseView, statusCode: StatusCodes.Status201Created);
        });
        api.MapGet(HttpPaths.Releases, () => Results.Json(engine.ListReleases(), ApiJsonContext.Default.IReadOnlyListReleaseView));
        api.MapGet(HttpPaths.ReleaseTemplate, (string releaseId) => Results.Json(engine.GetRelease(releaseId), ApiJsonContext.Default.ReleaseView));

        api.MapPost(HttpPaths.Deployments, async (HttpRequest request) =>
        {
            var body = await JsonRequestReader.ReadAsync(request, ApiJsonContext.Default.StartDeploymentRequest, logger).ConfigureAwait(false);
            var deployment = engine.StartDeployment(RequestValidation.Validate(body));
            return Results.Json(deployment, ApiJsonContext.Default.DeploymentView, statusCode: StatusCodes.Status201Created);
        });
        api.MapGet(HttpPaths.Deployments, () => Results.Json(engine.ListDeployments(), ApiJsonContext.Default.IReadOnlyListDeploymentView));
        api.MapGet(HttpPaths.DeploymentTemplate, (string deploymentId) =>
            Results.Json(engine.GetDeployment(deploymentId), ApiJsonContext.Default.DeploymentView));

        MapControl(api, engine, HttpPaths.PauseTemplate, OperatorActionKind.Pause);
        MapControl(api, engine, HttpPaths.ResumeTemplate, OperatorActionKind.Resume);
        MapControl(api, engine, HttpPaths.AbortTemplate, OperatorActionKind.Abort);
        MapRecovery(api, engine, logger, HttpPaths.RetryFailedTemplate, OperatorActionKind.RetryFailed);
        MapRecovery(api, engine, logger, HttpPaths.ForceRollbackTemplate, OperatorActionKind.ForceRollback);
        MapRecovery(api, engine, logger, HttpPaths.RedeployPreviousTemplate, OperatorActionKind.RedeployPrevious);

        api.MapGet(HttpPaths.Fleet, () => Results.Json(engine.Fleet(), ApiJsonContext.Default.FleetView));
    }

    private static void MapControl(RouteGroupBuilder api, RolloutEngine engine, string template, OperatorActionKind kind) =>
        api.MapPost(template, (string deploymentId) => Results.Json(engine.Control(deploymentId, kind), ApiJsonContext.Default.DeploymentView));

    private static void MapRecovery(RouteGroupBuilder api, RolloutEngine engine, ILogger logger, string template, OperatorActionKind kind) =>
        api.MapPost(template, async (string deploymentId, HttpRequest request) =>
        {
            var selection = request.ContentLength is 0 || (request.ContentLength is null && !request.HasJsonContentType())
                ? null
                : await JsonRequestReader.ReadAsync(request, ApiJsonContext.Default.DeviceSelection, logger).ConfigureAwait(false);
            var result = engine.Recover(deploymentId, kind, RequestValidation.Device(selection));
            return Results.Json(result, ApiJsonContext.Default.RecoveryResult);
        });
}
