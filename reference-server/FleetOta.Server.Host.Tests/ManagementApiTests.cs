using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FleetOta.Journal;
using FleetOta.Protocol;
using FleetOta.Protocol.Wire;
using FleetOta.Server.Host.Http;
using FleetOta.Server.Host.Tests.Support;

namespace FleetOta.Server.Host.Tests;

public sealed class ManagementApiTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(output);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task RegisterRelease_Valid_SignedWithServerKey()
    {
        var (release, _) = await _server.RegisterAsync("rel-2", "2.0.0");
        var key = await _server.Http.GetFromJsonAsync(HttpPaths.SigningKey, ApiJsonContext.Default.SigningKeyView);

        var manifest = new ReleaseManifest(release.ReleaseId, release.Version, release.SecurityVersion, release.ImageDigest, release.ImageSize,
            release.CompatibleHardware.Select(target => new HardwareTarget(target.Model!, target.Revision!)).ToArray());
        var verifier = new EcdsaManifestVerifier();
        verifier.Trust(key!.KeyId, Convert.FromBase64String(key.PublicKey));

        release.KeyId.Should().Be(key.KeyId);
        verifier.Verify(new SignedManifest(manifest, Convert.FromBase64String(release.Signature), release.KeyId)).Should().Be(SignatureCheck.Valid);
        release.ArtifactUrl.Should().Be(new Uri(_server.Host.HttpUrl, HttpPaths.Artifact("rel-2")).ToString());
    }

    [Fact]
    public async Task ListReleases_Two_InRegistrationOrder()
    {
        await _server.RegisterAsync("rel-b", "2.0.0", 10);
        await _server.RegisterAsync("rel-a", "1.0.0", 10);

        var releases = await _server.Http.GetFromJsonAsync(HttpPaths.Releases, ApiJsonContext.Default.IReadOnlyListReleaseView);

        releases!.Select(release => release.ReleaseId).Should().Equal("rel-b", "rel-a");
    }

    [Theory]
    [InlineData("""{"version":"1","securityVersion":1,"compatibleHardware":[{"model":"m","revision":"r"}],"image":"AA=="}""", "releaseId", "missing")]
    [InlineData("""{"releaseId":"a b","version":"1","securityVersion":1,"compatibleHardware":[{"model":"m","revision":"r"}],"image":"AA=="}""", "releaseId", "ASCII letters")]
    [InlineData("""{"releaseId":"r","securityVersion":1,"compatibleHardware":[{"model":"m","revision":"r"}],"image":"AA=="}""", "version", "missing")]
    [InlineData("""{"releaseId":"r","version":"1","securityVersion":-1,"compatibleHardware":[{"model":"m","revision":"r"}],"image":"AA=="}""", "securityVersion", "0 or more")]
    [InlineData("""{"releaseId":"r","version":"1","securityVersion":1,"compatibleHardware":[],"image":"AA=="}""", "compatibleHardware", "at least one")]
    [InlineData("""{"releaseId":"r","version":"1","securityVersion":1,"compatibleHardware":[{"model":"m"}],"image":"AA=="}""", "compatibleHardware[0].revision", "revision")]
    [InlineData("""{"releaseId":"r","version":"1","securityVersion":1,"compatibleHardware":[{"model":"m","revision":"r"}],"image":"%%"}""", "image", "base64")]
    [InlineData("""{"releaseId":"r","version":"1","securityVersion":1,"compatibleHardware":[{"model":"m","revision":"r"}],"image":"AA==","imageDigest":"00"}""", "imageDigest", "SHA-256 of the image")]
    [InlineData("""{"releaseId":"r","version":"1","securityVersion":"one","compatibleHardware":[],"image":"AA=="}""", "securityVersion", "whole number")]
    public async Task RegisterRelease_Invalid_ProblemNamesField(string body, string field, string fix)
    {
        using var response = await PostJsonAsync(HttpPaths.Releases, body);

        await ExpectProblemAsync(response, HttpStatusCode.BadRequest, field, fix);
    }

    [Fact]
    public async Task RegisterRelease_DuplicateId_Conflict()
    {
        await _server.RegisterAsync("rel-1", "1.0.0", 10);

        var again = new RegisterReleaseRequest("rel-1", "1.0.1", 1, [new HardwareModel("gw-300", "B")], "AAEC", null);
        using var response = await _server.Http.PostAsJsonAsync(HttpPaths.Releases, again, ApiJsonContext.Default.RegisterReleaseRequest);

        await ExpectProblemAsync(response, HttpStatusCode.Conflict, "releaseId", "already registered");
    }

    [Fact]
    public async Task RegisterRelease_NotJson_UnsupportedMediaType()
    {
        using var response = await _server.Http.PostAsync(HttpPaths.Releases, new StringContent("releaseId=r", Encoding.UTF8, "text/plain"));

        response.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        (await response.Content.ReadAsStringAsync()).Should().Contain("application/json");
    }

    [Theory]
    [InlineData("""{"releaseId":"rel-9","deviceCount":3}""", HttpStatusCode.NotFound, "releaseId", "not registered")]
    [InlineData("""{"releaseId":"rel-1","previousReleaseId":"rel-0","deviceCount":3}""", HttpStatusCode.NotFound, "previousReleaseId", "not registered")]
    [InlineData("""{"releaseId":"rel-1"}""", HttpStatusCode.BadRequest, "targets", "exactly one of targets")]
    [InlineData("""{"releaseId":"rel-1","targets":[1,2,1]}""", HttpStatusCode.BadRequest, "targets[2]", "listed twice")]
    [InlineData("""{"releaseId":"rel-1","targets":[-4]}""", HttpStatusCode.BadRequest, "targets[0]", "out of range")]
    [InlineData("""{"releaseId":"rel-1","deviceCount":3,"options":{"waves":[{"percent":10},{"percent":150}]}}""", HttpStatusCode.BadRequest, "options.waves[1]", "percent")]
    [InlineData("""{"releaseId":"rel-1","deviceCount":3,"options":{"gateSuccessShare":1.5}}""", HttpStatusCode.BadRequest, "options.gateSuccessShare", "share from 0 to 1")]
    [InlineData("""{"releaseId":"rel-1","deviceCount":3,"options":{"tickMs":0}}""", HttpStatusCode.BadRequest, "options.tickMs", "above 0")]
    [InlineData("""{"releaseId":"rel-1","deviceCount":3,"options":{"faultMonitor":{"windowMs":-1}}}""", HttpStatusCode.BadRequest, "options.faultMonitor.windowMs", "above 0")]
    public async Task StartDeployment_Invalid_ProblemNamesField(string body, HttpStatusCode status, string field, string fix)
    {
        await _server.RegisterAsync("rel-1", "1.0.0", 10);

        using var response = await PostJsonAsync(HttpPaths.Deployments, body);

        await ExpectProblemAsync(response, status, field, fix);
    }

    [Fact]
    public async Task StartDeployment_WhileActive_Conflict()
    {
        await _server.RegisterAsync("rel-1", "1.0.0", 10);
        var first = await _server.DeployAsync("rel-1", [0, 1]);

        using var response = await PostJsonAsync(HttpPaths.Deployments, """{"releaseId":"rel-1","deviceCount":2}""");

        first.DeploymentId.Should().Be("dep-1");
        await ExpectProblemAsync(response, HttpStatusCode.Conflict, null, "abort it first");
    }

    [Fact]
    public async Task PauseResume_Running_PhasesAndJournal()
    {
        await _server.RegisterAsync("rel-1", "1.0.0", 10);
        var deployment = await _server.DeployAsync("rel-1", [0, 1, 2]);

        var paused = await PostForDeploymentAsync(HttpPaths.Pause(deployment.DeploymentId));
        using var pausedAgain = await _server.Http.PostAsync(HttpPaths.Pause(deployment.DeploymentId), null);
        var status = await _server.Http.GetFromJsonAsync(HttpPaths.Deployment(deployment.DeploymentId), ApiJsonContext.Default.DeploymentView);
        var resumed = await PostForDeploymentAsync(HttpPaths.Resume(deployment.DeploymentId));
        var aborted = await PostForDeploymentAsync(HttpPaths.Abort(deployment.DeploymentId));
        var journal = await _server.StopAndReadJournalAsync();

        deployment.Phase.Should().Be("running");
        paused.Phase.Should().Be("paused");
        await ExpectProblemAsync(pausedAgain, HttpStatusCode.Conflict, null, "already paused");
        status!.Phase.Should().Be("paused");
        resumed.Phase.Should().Be("running");
        aborted.Phase.Should().Be("aborted");
        var decisions = journal.Entries.Where(entry => entry.Actor == "operator").Select(entry => entry.Kind).ToList();
        decisions.Should().Equal(JournalKind.RolloutPaused, JournalKind.RolloutResumed, JournalKind.RolloutAborted);
        journal.Entries.Should().Contain(entry => entry.Kind == JournalKind.DeploymentStarted && entry.Release == "rel-1" && entry.Value == 3);
        journal.RunValue("release").Should().Be("rel-1");
        journal.RunValue("host").Should().Be("live");
        journal.Entries.Select(entry => entry.TimeMs).Should().BeInAscendingOrder();
    }

    [Fact]
    public async Task Control_UnknownDeployment_NotFound()
    {
        using var response = await _server.Http.PostAsync(HttpPaths.Pause("dep-77"), null);

        await ExpectProblemAsync(response, HttpStatusCode.NotFound, "deploymentId", "GET /api/deployments");
    }

    [Fact]
    public async Task RedeployPrevious_NoPrevious_Conflict()
    {
        await _server.RegisterAsync("rel-1", "1.0.0", 10);
        var deployment = await _server.DeployAsync("rel-1", [0, 1]);

        using var response = await _server.Http.PostAsync(HttpPaths.RedeployPrevious(deployment.DeploymentId), null);

        await ExpectProblemAsync(response, HttpStatusCode.Conflict, null, "previousReleaseId");
    }

    [Fact]
    public async Task RetryFailed_UntargetedDevice_NotFound()
    {
        await _server.RegisterAsync("rel-1", "1.0.0", 10);
        var deployment = await _server.DeployAsync("rel-1", [0, 1]);

        using var response = await PostJsonAsync(HttpPaths.RetryFailed(deployment.DeploymentId), """{"device":5}""");

        await ExpectProblemAsync(response, HttpStatusCode.NotFound, "device", "not a target");
    }

    [Fact]
    public async Task Fleet_AfterDeployment_CountsTargets()
    {
        await _server.RegisterAsync("rel-1", "1.0.0", 10);
        await _server.DeployAsync("rel-1", [0, 1, 2, 3]);

        var fleet = await _server.FleetAsync();

        fleet.DeploymentId.Should().Be("dep-1");
        fleet.DeviceCount.Should().Be(4);
        fleet.Devices.Select(device => device.DeviceId).Should().Equal(0, 1, 2, 3);
        fleet.States.Values.Sum().Should().Be(4);
        fleet.Versions.Should().ContainKey("unknown").WhoseValue.Should().Be(4);
    }

    [Fact]
    public async Task ServerInfo_Running_ReportsUrlsAndFactor()
    {
        var info = await _server.Http.GetFromJsonAsync(HttpPaths.ServerInfo, ApiJsonContext.Default.ServerInfoView);

        info!.HttpUrl.Should().Be(_server.Host.HttpUrl.GetLeftPart(UriPartial.Authority));
        info.BrokerUrl.Should().Be(_server.Host.BrokerUrl.ToString());
        info.TimeFactor.Should().Be(TestServer.TimeFactor);
        info.KeyId.Should().StartWith("fleetota-");
    }

    private Task<HttpResponseMessage> PostJsonAsync(string path, string json) =>
        _server.Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    private async Task<DeploymentView> PostForDeploymentAsync(string path)
    {
        using var response = await _server.Http.PostAsync(path, null);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync(ApiJsonContext.Default.DeploymentView))!;
    }

    internal static async Task ExpectProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? field, string fix)
    {
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(status, body);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        using var problem = JsonDocument.Parse(body);
        if (field is not null)
        {
            problem.RootElement.GetProperty("field").GetString().Should().Be(field);
        }

        problem.RootElement.GetProperty("detail").GetString().Should().Contain(fix);
    }
}
