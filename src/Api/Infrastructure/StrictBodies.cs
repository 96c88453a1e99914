// A request body must fit its endpoint before the endpoint reads it: a content type the endpoint
// does not take is a 415 that names the ones it does, and a JSON body is checked against the
// endpoint's request type (JsonShape), so an unknown field or a value of the wrong kind anywhere
// is a 400 listing every such place, not a field silently ignored or the first problem in .NET's words.
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing.Template;

namespace LstmService.Api.Infrastructure;

internal static class StrictBodies
{
    public static IApplicationBuilder UseStrictBodies(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var endpoint = http.GetEndpoint();
        var request = http.Request;
        string? mediaType = request.ContentType?.Split(';')[0].Trim();
        // Routing answers a Content-Type that no endpoint of the path takes with a 415 endpoint of its own, which says nothing.
        if (endpoint is not (null or RouteEndpoint) && endpoint.DisplayName?.StartsWith("415", StringComparison.Ordinal) == true)
        {
            await TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported Media Type",
                detail: $"This endpoint takes a body of type {string.Join(" or ", Accepted(http))}; the request's Content-Type is {(mediaType is null ? "missing" : $"'{mediaType}'")}.").ExecuteAsync(http);
            return;
        }
        var accepts = endpoint?.Metadata.GetMetadata<IAcceptsMetadata>();
        if (accepts?.RequestType is not { } type || !string.Equals(mediaType, "application/json", StringComparison.OrdinalIgnoreCase))
        {
            await next(http);
            return;
        }
        request.EnableBuffering();
        var errors = new ValidationErrors();
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: http.RequestAborted);
            JsonShape.Check(document.RootElement, type, errors);
        }
        catch (JsonException)
        {
            // Malformed JSON: the endpoint's binder says where it broke.
        }
        if (!errors.IsEmpty)
        {
            await TypedResults.ValidationProblem(errors.ToDictionary(), title: "The request body does not fit this endpoint.").ExecuteAsync(http);
            return;
        }
        request.Body.Position = 0;
        await next(http);
    });

    // The content types the endpoints of the request's path and method take.
    private static IEnumerable<string> Accepted(HttpContext http) => http.RequestServices.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
        .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains(http.Request.Method) == true
            && new TemplateMatcher(TemplateParser.Parse(e.RoutePattern.RawText!), []).TryMatch(http.Request.Path, []))
        .SelectMany(e => e.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes ?? []).Distinct();
}
