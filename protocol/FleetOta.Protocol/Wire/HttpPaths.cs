namespace FleetOta.Protocol.Wire;

/// <summary>HTTP paths of the live reference server. Route templates use ASP.NET Core syntax; the methods build
/// concrete paths with the ids escaped.</summary>
/// <remarks>
/// Artifacts: <c>GET /artifacts/{releaseId}</c> returns the image bytes with <c>ETag: "{imageDigest}"</c>
/// (lower-case hex SHA-256) and <c>Accept-Ranges: bytes</c>. It honours <c>Range: bytes=a-b</c> (206 Partial
/// Content), <c>If-Range</c> with the ETag (resume only if the image is unchanged) and <c>If-None-Match</c>
/// (304 Not Modified). A range that starts at or past the image size gets 416 with
/// <c>Content-Range: bytes */{size}</c>. HEAD returns the same headers without the body.
/// Management API: JSON bodies, errors as RFC 9457 problem details naming the field and the fix.
/// </remarks>
public static class HttpPaths
{
    public const string ArtifactTemplate = "/artifacts/{releaseId}";

    /// <summary>GET: the bound HTTP URL, the broker URL, the time factor and the current virtual time.</summary>
    public const string ServerInfo = "/api/server";

    /// <summary>GET: the server's signing key id and its public key (base64 SubjectPublicKeyInfo), for devices
    /// that verify manifest signatures.</summary>
    public const string SigningKey = "/api/signing-key";

    /// <summary>POST: register a release (manifest fields and base64 image); GET: list releases.</summary>
    public const string Releases = "/api/releases";

    public const string ReleaseTemplate = "/api/releases/{releaseId}";

    /// <summary>POST: start a deployment of a registered release; GET: list deployments.</summary>
    public const string Deployments = "/api/deployments";

    public const string DeploymentTemplate = "/api/deployments/{deploymentId}";

    public const string PauseTemplate = "/api/deployments/{deploymentId}/pause";

    public const string ResumeTemplate = "/api/deployments/{deploymentId}/resume";

    public const string AbortTemplate = "/api/deployments/{deploymentId}/abort";

    /// <summary>POST with an optional JSON body <c>{"device": n}</c>: retry failed devices (all, or one).</summary>
    public const string RetryFailedTemplate = "/api/deployments/{deploymentId}/retry-failed";

    /// <summary>POST with a JSON body <c>{"device": n}</c>: command one device to roll back.</summary>
    public const string ForceRollbackTemplate = "/api/deployments/{deploymentId}/force-rollback";

    /// <summary>POST with an optional JSON body <c>{"device": n}</c>: re-deploy the previous release.</summary>
    public const string RedeployPreviousTemplate = "/api/deployments/{deploymentId}/redeploy-previous";

    /// <summary>GET: per-device action state and running version, with counts per state and version.</summary>
    public const string Fleet = "/api/fleet";

    public static string Artifact(string releaseId) => "/artifacts/" + Uri.EscapeDataString(releaseId);

    public static string Release(string releaseId) => "/api/releases/" + Uri.EscapeDataString(releaseId);

    public static string Deployment(string deploymentId) => "/api/deployments/" + Uri.EscapeDataString(deploymentId);

    public static string Pause(string deploymentId) => Deployment(deploymentId) + "/pause";

    public static string Resume(string deploymentId) => Deployment(deploymentId) + "/resume";

    public static string Abort(string deploymentId) => Deployment(deploymentId) + "/abort";

    public static string RetryFailed(string deploymentId) => Deployment(deploymentId) + "/retry-failed";

    public static string ForceRollback(string deploymentId) => Deployment(deploymentId) + "/force-rollback";

    public static string RedeployPrevious(string deploymentId) => Deployment(deploymentId) + "/redeploy-previous";
}
