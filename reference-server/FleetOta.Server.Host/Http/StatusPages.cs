using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace FleetOta.Server.Host.Http;

/// <summary>Gives the 404 and 405 responses of routing, which have no body, a problem details body that names the
/// paths or methods that exist.</summary>
internal static class StatusPages
{
    /// <summary>Actions under <c>/api/deployments/{id}/</c>, in the order the docs list them.</summary>
    private const string DeploymentActions = "pause, resume, abort, retry-failed, force-rollback or redeploy-previous";

    public static void Use(IApplicationBuilder app) => app.UseStatusCodePages(async context =>
    {
        var http = context.HttpContext;
        var request = http.Request;
        var path = request.Path.ToString();
        var detail = http.Response.StatusCode switch
        {
            StatusCodes.Status404NotFound => NotFoundDetail(request.Method, path),
            StatusCodes.Status405MethodNotAllowed => $"{request.Method} is not allowed on {path}; use {AllowedMethods(http.Response)}.",
            _ => null,
        };
        if (detail is null)
        {
            // Other statuses without a body, such as 416 from artifact range requests, stay as they are.
            return;
        }

        var problem = new ApiException(http.Response.StatusCode, null, detail);
        await problem.ToResult().ExecuteAsync(http).ConfigureAwait(false);
    });

    private static string NotFoundDetail(string method, string path)
    {
        var segments = path.Trim('/').Split('/');
        if (segments is ["api", "deployments", var deploymentId, var action])
        {
            return $"Deployment action '{action}' does not exist; POST one of {DeploymentActions} to /api/deployments/{deploymentId}/<action>.";
        }

        return $"No endpoint matches {method} {path}. The API has /api/server, /api/signing-key, /api/releases, /api/deployments, " +
               $"/api/deployments/{{id}}/{{action}} with the actions {DeploymentActions}, /api/fleet and /artifacts/{{releaseId}}.";
    }

    private static string AllowedMethods(HttpResponse response)
    {
        var allow = response.Headers.Allow.ToString();
        return allow.Length == 0 ? "a method that the API lists for this path" : string.Join(" or ", allow.Split(',', StringSplitOptions.TrimEntries));
    }
}
