using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using FleetOta.Protocol;
using FleetOta.Protocol.Wire;
using FleetOta.Server.Host.Tests.Support;

namespace FleetOta.Server.Host.Tests;

public sealed class ArtifactDownloadTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(output);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Get_WholeImage_BytesAndEtag()
    {
        var (release, image) = await _server.RegisterAsync("rel-1", "1.0.0");

        using var response = await _server.Http.GetAsync(HttpPaths.Artifact("rel-1"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.ETag!.Tag.Should().Be($"\"{Digests.Sha256Hex(image)}\"");
        response.Headers.AcceptRanges.Should().Contain("bytes");
        var body = await response.Content.ReadAsByteArrayAsync();
        body.Should().Equal(image);
        release.ImageDigest.Should().Be(Digests.Sha256Hex(image));
        release.ImageSize.Should().Be(image.Length);
    }

    [Fact]
    public async Task Get_RangeThenResume_ReassemblesImage()
    {
        var (_, image) = await _server.RegisterAsync("rel-1", "1.0.0");
        var etag = new EntityTagHeaderValue($"\"{Digests.Sha256Hex(image)}\"");

        using var first = new HttpRequestMessage(HttpMethod.Get, HttpPaths.Artifact("rel-1"));
        first.Headers.Range = new RangeHeaderValue(0, 29_999);
        using var firstResponse = await _server.Http.SendAsync(first);
        using var resume = new HttpRequestMessage(HttpMethod.Get, HttpPaths.Artifact("rel-1"));
        resume.Headers.Range = new RangeHeaderValue(30_000, null);
        resume.Headers.IfRange = new RangeConditionHeaderValue(etag);
        using var resumeResponse = await _server.Http.SendAsync(resume);

        firstResponse.StatusCode.Should().Be(HttpStatusCode.PartialContent);
        firstResponse.Content.Headers.ContentRange!.ToString().Should().Be($"bytes 0-29999/{image.Length}");
        resumeResponse.StatusCode.Should().Be(HttpStatusCode.PartialContent);
        resumeResponse.Content.Headers.ContentRange!.ToString().Should().Be($"bytes 30000-{image.Length - 1}/{image.Length}");
        var head = await firstResponse.Content.ReadAsByteArrayAsync();
        var tail = await resumeResponse.Content.ReadAsByteArrayAsync();
        head.Concat(tail).Should().Equal(image);
    }

    [Fact]
    public async Task Get_IfRangeStale_WholeImage()
    {
        var (_, image) = await _server.RegisterAsync("rel-1", "1.0.0");

        using var request = new HttpRequestMessage(HttpMethod.Get, HttpPaths.Artifact("rel-1"));
        request.Headers.Range = new RangeHeaderValue(500, null);
        request.Headers.IfRange = new RangeConditionHeaderValue(new EntityTagHeaderValue("\"an-older-image\""));
        using var response = await _server.Http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsByteArrayAsync()).Should().Equal(image);
    }

    [Fact]
    public async Task Get_IfNoneMatchCurrent_NotModified()
    {
        var (_, image) = await _server.RegisterAsync("rel-1", "1.0.0");

        using var request = new HttpRequestMessage(HttpMethod.Get, HttpPaths.Artifact("rel-1"));
        request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{Digests.Sha256Hex(image)}\""));
        using var response = await _server.Http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.NotModified);
        (await response.Content.ReadAsByteArrayAsync()).Should().BeEmpty();
    }

    [Theory]
    [InlineData(100_000L, null)]
    [InlineData(250_000L, 260_000L)]
    public async Task Get_RangePastEnd_RangeNotSatisfiable(long from, long? to)
    {
        var (_, image) = await _server.RegisterAsync("rel-1", "1.0.0");

        using var request = new HttpRequestMessage(HttpMethod.Get, HttpPaths.Artifact("rel-1"));
        request.Headers.Range = new RangeHeaderValue(from, to);
        using var response = await _server.Http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.RequestedRangeNotSatisfiable);
        response.Content.Headers.ContentRange!.ToString().Should().Be($"bytes */{image.Length}");
    }

    [Fact]
    public async Task Head_Artifact_HeadersWithoutBody()
    {
        var (_, image) = await _server.RegisterAsync("rel-1", "1.0.0");

        using var response = await _server.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, HttpPaths.Artifact("rel-1")));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentLength.Should().Be(image.Length);
        (await response.Content.ReadAsByteArrayAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task Get_UnknownRelease_NotFoundProblem()
    {
        using var response = await _server.Http.GetAsync(HttpPaths.Artifact("rel-404"));

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        problem.RootElement.GetProperty("field").GetString().Should().Be("releaseId");
        problem.RootElement.GetProperty("detail").GetString().Should().Contain("rel-404").And.Contain("POST /api/releases");
    }
}
