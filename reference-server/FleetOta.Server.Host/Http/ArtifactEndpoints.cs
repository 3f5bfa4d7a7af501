using FleetOta.Protocol.Wire;
using FleetOta.Server.Host.Control;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace FleetOta.Server.Host.Http;

/// <summary>Maps <c>GET /artifacts/{releaseId}</c>: the image bytes with the image digest as strong ETag.</summary>
/// <remarks>Range, If-Range, If-None-Match and 416 are handled by ASP.NET Core's file result with range processing:
/// one byte range per request gets 206 with Content-Range, a range starting at or past the end gets 416 with
/// <c>Content-Range: bytes */{size}</c>, and a request with several ranges gets the whole image with 200.</remarks>
internal static class ArtifactEndpoints
{
    public static void Map(IEndpointRouteBuilder app, RolloutEngine engine)
    {
        app.MapMethods(HttpPaths.ArtifactTemplate, [HttpMethods.Get, HttpMethods.Head], (string releaseId) =>
        {
            if (engine.FindArtifact(releaseId) is not { } release)
            {
                return ApiException.NotFound("releaseId",
                    $"Release '{releaseId}' is not registered, so it has no artifact; register it with POST {HttpPaths.Releases} first.").ToResult();
            }

            var etag = new EntityTagHeaderValue("\"" + release.Manifest.Manifest.ImageDigest + "\"");
            return Results.Bytes(release.Image, "application/octet-stream", enableRangeProcessing: true, entityTag: etag);
        });
    }
}
