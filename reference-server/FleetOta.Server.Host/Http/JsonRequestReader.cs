using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FleetOta.Server.Host.Http;

/// <summary>Reads a JSON request body and turns every way it can be wrong into an <see cref="ApiException"/> that
/// names the JSON path and what is allowed there, in JSON terms and without .NET type names.</summary>
internal static class JsonRequestReader
{
    /// <summary>Reads the body as <paramref name="type"/>: 415 when it is not JSON, 413 when it is larger than the
    /// server's limit, and 400 for invalid syntax, an unknown member or a value of the wrong JSON type.</summary>
    public static async Task<T?> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> type, ILogger logger)
    {
        if (!request.HasJsonContentType())
        {
            throw new ApiException(StatusCodes.Status415UnsupportedMediaType, null,
                $"The request body has content type '{request.ContentType}'; send JSON with Content-Type: application/json.");
        }

        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, default, request.HttpContext.RequestAborted).ConfigureAwait(false);
        }
        catch (BadHttpRequestException error) when (error.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            Log.RequestBodyTooLarge(logger, request.Method, request.Path.ToString(), request.ContentLength, error.Message);
            throw new ApiException(StatusCodes.Status413PayloadTooLarge, null,
                $"The request body is larger than the server's limit ({error.Message}); send a smaller body, such as a smaller image.");
        }
        catch (JsonException error)
        {
            var path = error.Path is null or "$" ? "$" : error.Path.TrimStart('$', '.');
            throw ApiException.BadRequest(path,
                $"The request body is not valid JSON at line {error.LineNumber + 1}, byte {error.BytePositionInLine + 1}: {FirstSentence(error.Message)} Fix the syntax.");
        }

        using (document)
        {
            CheckShape(document.RootElement, type, "$");
            try
            {
                return document.RootElement.Deserialize(type);
            }
            catch (JsonException error)
            {
                // CheckShape finds the problems that the serializer reports, so this is a fallback.
                var path = error.Path is null or "$" ? "$" : error.Path.TrimStart('$', '.');
                throw ApiException.BadRequest(path, $"Member {path} has a value that does not fit this request; check its JSON type.");
            }
        }
    }

    /// <summary>Raises a 400 for the first unknown member or value of the wrong JSON type, walking the body along the
    /// serializer's metadata of the request type.</summary>
    private static void CheckShape(JsonElement element, JsonTypeInfo type, string path)
    {
        var where = path == "$" ? "The request body" : $"Member {path}";
        if (element.ValueKind == JsonValueKind.Null && (Nullable.GetUnderlyingType(type.Type) is not null || !type.Type.IsValueType))
        {
            return;
        }

        switch (type.Kind)
        {
            case JsonTypeInfoKind.Object:
                if (element.ValueKind != JsonValueKind.Object)
                {
                    throw ApiException.BadRequest(path, $"{where} is {Describe(element)}; send a JSON object with the members {Members(type)}.");
                }

                foreach (var member in element.EnumerateObject())
                {
                    var memberPath = path == "$" ? member.Name : $"{path}.{member.Name}";
                    var property = type.Properties.FirstOrDefault(candidate => string.Equals(candidate.Name, member.Name, StringComparison.OrdinalIgnoreCase))
                                   ?? throw ApiException.BadRequest(memberPath,
                                       $"Member {memberPath} is not part of this request; remove it or fix its spelling. {where} accepts {Members(type)}.");
                    CheckShape(member.Value, type.Options.GetTypeInfo(property.PropertyType), memberPath);
                }

                return;
            case JsonTypeInfoKind.Enumerable:
                if (element.ValueKind != JsonValueKind.Array)
                {
                    throw ApiException.BadRequest(path, $"{where} is {Describe(element)}; send a JSON array.");
                }

                var elementType = type.Options.GetTypeInfo(type.ElementType!);
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    CheckShape(item, elementType, $"{path}[{index.ToString(CultureInfo.InvariantCulture)}]");
                    index++;
                }

                return;
            default:
                if (!Fits(element, Nullable.GetUnderlyingType(type.Type) ?? type.Type, out var expected))
                {
                    throw ApiException.BadRequest(path, $"{where} is {Describe(element)}; set it to {expected}.");
                }

                return;
        }
    }

    private static bool Fits(JsonElement element, Type type, out string expected)
    {
        if (type == typeof(string))
        {
            expected = "a JSON string";
            return element.ValueKind == JsonValueKind.String;
        }

        if (type == typeof(bool))
        {
            expected = "true or false";
            return element.ValueKind is JsonValueKind.True or JsonValueKind.False;
        }

        if (type == typeof(int))
        {
            expected = "a whole number from -2147483648 to 2147483647";
            return element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out _);
        }

        if (type == typeof(long))
        {
            expected = "a whole number from -9223372036854775808 to 9223372036854775807";
            return element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out _);
        }

        if (type == typeof(double))
        {
            expected = "a number";
            return element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out var value) && double.IsFinite(value);
        }

        // NOTE: request types use only the types above, so a new member of another type is not checked here and
        // falls back to the serializer's error.
        expected = "a value of the member's type";
        return true;
    }

    private static string Members(JsonTypeInfo type) => string.Join(", ", type.Properties.Select(property => property.Name));

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string {Truncate(element.GetRawText())}",
        JsonValueKind.Number => $"the number {Truncate(element.GetRawText())}",
        JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
        _ => "null",
    };

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..37] + "...";

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}
