// Every JSON body is checked against its endpoint's request type before the endpoint binds it
// (JsonShape), so an unknown field or a value of the wrong kind anywhere is a 400 listing every
// such place, not a field silently ignored or the first problem in .NET's words.
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;

namespace LstmService.Api.Infrastructure;

internal static class StrictJsonBodies
{
    public static IApplicationBuilder UseStrictJsonBodies(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var type = http.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
        if (type is null || http.Request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) != true)
        {
            await next(http);
            return;
        }
        http.Request.EnableBuffering();
        var errors = new ValidationErrors();
        try
        {
            using var document = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
            JsonShape.Check(document.RootElement, type, errors);
        }
        catch (JsonException)
        {
            // Malformed JSON (or none): the endpoint's binder says where it broke.
        }
        if (!errors.IsEmpty)
        {
            await TypedResults.ValidationProblem(errors.ToDictionary(), title: "The request body does not fit this endpoint.").ExecuteAsync(http);
            return;
        }
        http.Request.Body.Position = 0;
        await next(http);
    });
}
