using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace FleetOta.Server.Alerting;

/// <summary>A destination of rollout alerts. The dispatcher calls it until it returns without an exception.</summary>
public interface IAlertSink
{
    /// <summary>Stable name of the sink, the key of its delivery record, such as "log" or "webhook".</summary>
    string Name { get; }

    /// <summary>Delivers one alert; an exception means the delivery failed and is retried.</summary>
    Task DeliverAsync(RolloutAlert alert, CancellationToken cancellationToken);
}

/// <summary>Writes each alert to the log at Warning level.</summary>
public sealed class LogAlertSink(ILogger logger) : IAlertSink
{
    public string Name => "log";

    public Task DeliverAsync(RolloutAlert alert, CancellationToken cancellationToken)
    {
        Log.RolloutAlert(logger, alert.Id, alert.ReleaseId, alert.Message);
        return Task.CompletedTask;
    }
}

/// <summary>Appends each alert as one JSON line to a file. An alert id already in the file is not written again, so a
/// delivery repeated after a restart leaves one line.</summary>
public sealed class FileAlertSink(string path) : IAlertSink
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private HashSet<string>? _written;

    public string Name => "file";

    public string Path => path;

    public async Task DeliverAsync(RolloutAlert alert, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _written ??= await ReadWrittenIdsAsync(cancellationToken).ConfigureAwait(false);
            if (_written.Contains(alert.Id))
            {
                return;
            }

            var line = JsonSerializer.Serialize(alert, AlertJson.Options) + "\n";
            await File.AppendAllTextAsync(path, line, cancellationToken).ConfigureAwait(false);
            _written.Add(alert.Id);
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task<HashSet<string>> ReadWrittenIdsAsync(CancellationToken cancellationToken)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return ids;
        }

        foreach (var line in await File.ReadAllLinesAsync(path, cancellationToken).ConfigureAwait(false))
        {
            // A torn last line from a crash is skipped; the alert it held is written again in full.
            if (line.Length > 0 && TryReadId(line) is { } id)
            {
                ids.Add(id);
            }
        }

        return ids;
    }

    private static string? TryReadId(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.TryGetProperty("id", out var id) ? id.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>Posts each alert as JSON to a webhook URL. The alert id goes in the Idempotency-Key header, so a receiver
/// can drop a repeated delivery; any status outside 2xx is a failed delivery.</summary>
public sealed class WebhookAlertSink(HttpClient client, Uri url) : IAlertSink
{
    public string Name => "webhook";

    public Uri Url => url;

    public async Task DeliverAsync(RolloutAlert alert, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = JsonContent.Create(alert, options: AlertJson.Options),
        };
        request.Headers.Add("Idempotency-Key", alert.Id);
        using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException(
                $"The webhook {url} answered {(int)response.StatusCode} {response.ReasonPhrase} to alert {alert.Id}.", null, response.StatusCode);
        }
    }
}

internal static class AlertJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
