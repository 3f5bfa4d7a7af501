using Microsoft.AspNetCore.Http;

namespace FleetOta.Server.Host.Http;

/// <summary>A rejected management request. The endpoints turn it into an RFC 9457 problem details response whose
/// <c>detail</c> states what is wrong and how to fix it, and whose <c>field</c> names the request member.</summary>
public sealed class ApiException(int status, string? field, string detail) : Exception(detail)
{
    public int Status { get; } = status;

    /// <summary>JSON path of the offending member, such as "options.waves[1].percent"; null when no single member is at fault.</summary>
    public string? Field { get; } = field;

    public static ApiException BadRequest(string field, string detail) => new(StatusCodes.Status400BadRequest, field, detail);

    public static ApiException NotFound(string field, string detail) => new(StatusCodes.Status404NotFound, field, detail);

    public static ApiException Conflict(string? field, string detail) => new(StatusCodes.Status409Conflict, field, detail);

    public IResult ToResult()
    {
        var title = Status switch
        {
            StatusCodes.Status400BadRequest => "Invalid request",
            StatusCodes.Status404NotFound => "Not found",
            StatusCodes.Status405MethodNotAllowed => "Method not allowed",
            StatusCodes.Status409Conflict => "Conflict with the current state",
            StatusCodes.Status413PayloadTooLarge => "Request body too large",
            StatusCodes.Status415UnsupportedMediaType => "Unsupported media type",
            _ => "Request failed",
        };
        var extensions = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (Field is not null)
        {
            extensions["field"] = Field;
        }

        return Results.Problem(detail: Message, statusCode: Status, title: title, extensions: extensions);
    }
}
