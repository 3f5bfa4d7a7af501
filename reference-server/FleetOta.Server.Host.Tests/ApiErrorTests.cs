using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FleetOta.Protocol.Wire;
using FleetOta.Server.Host.Http;
using FleetOta.Server.Host.Tests.Support;
using Microsoft.Extensions.Logging;

namespace FleetOta.Server.Host.Tests;

/// <summary>Every rejected request gets problem details that name the JSON member and what is allowed, in JSON
/// terms without .NET type names, and an action that does not fit the rollout's phase states why.</summary>
public sealed class ApiErrorTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(output);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData("""{"waves":[{"percent":50},{"percent":10}]}""", "options.waves[1]", "larger than the one before")]
    [InlineData("""{"waves":[{"percent":50},{"percent":50}]}""", "options.waves[1]", "larger than the one before")]
    [InlineData("""{"waves":[{"count":3},{"count":3},{"percent":100}]}""", "options.waves[1]", "larger than the one before")]
    [InlineData("""{"waves":[{"percent":500}]}""", "options.waves[0]", """{"percent": 500}""")]
    [InlineData("""{"waves":[{"percent":10,"count":3}]}""", "options.waves[0]", "exactly one of percent")]
    [InlineData("""{"wavez":[]}""", "options.wavez", "not part of this request")]
    [InlineData("""{"faultMonitor":{"limitt":0.1}}""", "options.faultMonitor.limitt", "not part of this request")]
    [InlineData("""{"maxAttempts":"three"}""", "options.maxAttempts", "whole number")]
    [InlineData("""{"gateSoakMs":1.5}""", "options.gateSoakMs", "whole number")]
    [InlineData("""{"waves":{"percent":100}}""", "options.waves", "JSON array")]
    public async Task StartDeployment_InvalidOptions_ProblemNamesField(string options, string field, string fix)
    {
        await _server.RegisterAsync("rel-1", "1.0.0", 10);

        using var response = await PostJsonAsync(HttpPaths.Deployments, $$"""{"releaseId":"rel-1","deviceCount":3,"options":{{options}}}""");

        await ManagementApiTests.ExpectProblemAsync(response, HttpStatusCode.BadRequest, field, fix);
        await ExpectNoTypeNamesAsync(response);
    }

    [Fact]
    public async Task StartDeployment_UnknownTopMember_BadRequest()
    {
        await _server.RegisterAsync("rel-1", "1.0.0", 10);

        using var response = await PostJsonAsync(HttpPaths.Deployments, """{"releaseId":"rel-1","deviceCount":3,"bogus":1}""");

        await ManagementApiTests.ExpectProblemAsync(response, HttpStatusCode.BadRequest, "bogus", "not part of this request");
        await ManagementApiTests.ExpectProblemAsync(response, HttpStatusCode.BadRequest, "bogus", "releaseId, previousReleaseId, targets, deviceCount, options");
    }

    [Theory]
    [InlineData("[]", "$", "JSON object")]
    [InlineData("\"rel-1\"", "$", "JSON object")]
    [InlineData("""{"releaseId":"r","version":"1","securityVersion":"one"}""", "securityVersion", "whole number")]
    [InlineData("""{"releaseId":"r","version":"1","securityVersion":1e12}""", "securityVersion", "whole number")]
    [InlineData("""{"releaseId":7}""", "releaseId", "JSON string")]
    [InlineData("""{"releaseId":"r","compatibleHardware":[{"model":"m","revision":"r","color":"red"}]}""", "compatibleHardware[0].color", "not part of this request")]
    [InlineData("""{"releaseId":"r",""", "$", "not valid JSON")]
    public async Task RegisterRelease_WrongJsonShape_ProblemWithoutTypeNames(string body, string field, string fix)
    {
        using var response = await PostJsonAsync(HttpPaths.Releases, body);

        await ManagementApiTests.ExpectProblemAsync(response, HttpStatusCode.BadRequest, field, fix);
        await ExpectNoTypeNamesAsync(response);
    }

    [Fact]
    public async Task Post_UnknownAction_NotFoundProblem()
    {
        await _server.RegisterAsync("rel-1", "1.0.0", 10);
        var deployment = await _server.DeployAsync("rel-1", [0, 1]);

        using var response = await _server.Http.PostAsync(HttpPaths.Deployment(deployment.DeploymentId) + "/frobnicate", null);

        await ManagementApiTests.ExpectProblemAsync(response, HttpStatusCode.NotFound, null, "'frobnicate' does not exist");
        await ManagementApiTests.ExpectProblemAsync(response, HttpStatusCode.NotFound, null, "retry-failed");
    }

    [Fact]
    public async Task Get_UnknownPath_NotFoundProblem()
    {
        using var response = await _server.Http.GetAsync("/api/nothing");

        await ManagementApiTests.ExpectProblemAsync(response, HttpStatusCode.NotFound, null, "No endpoint matches GET /api/nothing");
    }

    [Fact]
    public async Task Delete_Fleet_MethodNotAllowedProblem()
    {
        using var response = await _server.Http.DeleteAsync(HttpPaths.Fleet);

        await ManagementApiTests.ExpectProblemAsync(response, HttpStatusCode.MethodNotAllowed, null, "DELETE is not allowed on /api/fleet; use GET");
    }

    [Fact]
    public async Task Artifact_RangePastEnd_StaysWithoutProblemBody()
    {
        await _server.RegisterAsync("rel-1", "1.0.0", 10);
        using var request = new HttpRequestMessage(HttpMethod.Get, HttpPaths.Artifact("rel-1"));
        request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(100, 200);

        using var response = await _server.Http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.RequestedRangeNotSatisfiable);
        (await response.Content.ReadAsByteArrayAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task RegisterRelease_BodyTooLarge_ProblemAndWarning()
    {
        var logs = new RecordingLoggerProvider();
        using var loggers = LoggerFactory.Create(builder => builder.AddProvider(logs).AddProvider(new TestOutputLoggerProvider(output)));
        var options = new ServerHostOptions { MaxImageBytes = 1_000, TimeFactor = TestServer.TimeFactor };
        await using var host = await ServerHost.StartAsync(options, loggers);
        using var http = new HttpClient { BaseAddress = host.HttpUrl };
        var image = Convert.ToBase64String(new byte[2 << 20]);

        using var response = await http.PostAsync(HttpPaths.Releases, new StringContent(
            $$"""{"releaseId":"r","version":"1","securityVersion":1,"compatibleHardware":[{"model":"m","revision":"r"}],"image":"{{image}}"}""",
            Encoding.UTF8, "application/json"));

        await ManagementApiTests.ExpectProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, null, "larger than the server's limit");
        logs.Entries.Should().ContainSingle(entry => entry.Level == LogLevel.Warning && entry.Message.Contains("413"));
        logs.Entries.Should().NotContain(entry => entry.Exception != null);
        logs.Entries.Should().NotContain(entry => entry.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task Control_WrongPhase_SaysWhy()
    {
        await _server.RegisterAsync("rel-1", "1.0.0", 10);
        var id = (await _server.DeployAsync("rel-1", [0, 1])).DeploymentId;

        using var resumeRunning = await _server.Http.PostAsync(HttpPaths.Resume(id), null);
        using var abort = await _server.Http.PostAsync(HttpPaths.Abort(id), null);
        using var abortAgain = await _server.Http.PostAsync(HttpPaths.Abort(id), null);
        using var pauseAborted = await _server.Http.PostAsync(HttpPaths.Pause(id), null);

        await ManagementApiTests.ExpectProblemAsync(resumeRunning, HttpStatusCode.Conflict, null, "already running");
        abort.StatusCode.Should().Be(HttpStatusCode.OK);
        await ManagementApiTests.ExpectProblemAsync(abortAgain, HttpStatusCode.Conflict, null, "already aborted");
        await ManagementApiTests.ExpectProblemAsync(pauseAborted, HttpStatusCode.Conflict, null, "is aborted, so it can no longer be paused");
    }

    [Fact]
    public async Task RetryFailed_AbortedDeployment_Conflict()
    {
        await _server.RegisterAsync("rel-1", "1.0.0", 10);
        var id = (await _server.DeployAsync("rel-1", [0, 1])).DeploymentId;
        using var abort = await _server.Http.PostAsync(HttpPaths.Abort(id), null);

        using var response = await _server.Http.PostAsync(HttpPaths.RetryFailed(id), null);

        abort.StatusCode.Should().Be(HttpStatusCode.OK);
        await ManagementApiTests.ExpectProblemAsync(response, HttpStatusCode.Conflict, null, "is aborted, so its failed devices are not retried");
    }

    [Fact]
    public async Task ForceRollback_NoEligibleDevice_ReportsSkipped()
    {
        await _server.RegisterAsync("rel-1", "1.0.0", 10);
        var id = (await _server.DeployAsync("rel-1", [0, 1, 2])).DeploymentId;

        using var response = await _server.Http.PostAsync(HttpPaths.ForceRollback(id), null);
        var body = await response.Content.ReadAsStringAsync();
        var result = JsonSerializer.Deserialize(body, ApiJsonContext.Default.RecoveryResult);

        response.StatusCode.Should().Be(HttpStatusCode.OK, body);
        result!.Devices.Should().BeEmpty(body);
        result.Skipped.Values.Sum().Should().Be(3, body);
        result.SkipReason.Should().Contain("applies only to failed, rolled-back, timed-out, degraded or succeeded devices");
        result.SkipReason.Should().Contain("skipped 3 devices");
    }

    [Fact]
    public async Task RetryFailed_OneIneligibleDevice_ReportsItsState()
    {
        await _server.RegisterAsync("rel-1", "1.0.0", 10);
        var id = (await _server.DeployAsync("rel-1", [0, 1])).DeploymentId;

        using var response = await PostJsonAsync(HttpPaths.RetryFailed(id), """{"device":1}""");
        var result = await response.Content.ReadFromJsonAsync(ApiJsonContext.Default.RecoveryResult);

        // The device is scheduled or offered, depending on how far the offer timer ran, and never failed.
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        result!.Devices.Should().BeEmpty();
        var skipped = result.Skipped.Should().ContainSingle().Subject;
        skipped.Value.Should().Be(1);
        skipped.Key.Should().BeOneOf("scheduled", "offered");
        result.SkipReason.Should().Contain($"skipped 1 devices: 1 {skipped.Key}");
    }

    private Task<HttpResponseMessage> PostJsonAsync(string path, string json) =>
        _server.Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    private static async Task ExpectNoTypeNamesAsync(HttpResponseMessage response)
    {
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var detail = problem.RootElement.GetProperty("detail").GetString();
        detail.Should().NotContain("FleetOta.");
        detail.Should().NotContain("System.");
        detail.Should().NotContain("Model {");
        detail.Should().NotContain("WaveSpec");
    }

    private sealed record LogEntry(LogLevel Level, string Message, Exception? Exception);

    /// <summary>Keeps every log entry of the host, so a test can check what was logged and how.</summary>
    private sealed class RecordingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<LogEntry> _entries = new();

        public IReadOnlyList<LogEntry> Entries => _entries.ToArray();

        public ILogger CreateLogger(string categoryName) => new RecordingLogger(_entries);

        public void Dispose()
        {
        }

        private sealed class RecordingLogger(ConcurrentQueue<LogEntry> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                entries.Enqueue(new LogEntry(logLevel, formatter(state, exception), exception));
        }
    }
}
