// Named examples on POST /api/jobs in the OpenAPI document, so "Try it out" in Swagger UI works
// as pressed: the seed example (the numpy original's 4 × 50 inputs, seed cell, hidden-unit
// readout) and a small forecaster.
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace LstmService.Api.Jobs;

internal sealed class RequestExamples : IOpenApiOperationTransformer
{
    private static readonly (string Key, string Summary)[] Examples =
    [
        ("seed", "The seed example: the numpy original's 4 steps of 50 inputs, seed cell, first hidden unit read out, 100 SGD epochs in float64"),
        ("forecast", "A small forecaster: windows of a periodic series, next value after each window"),
    ];

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        if (description.HttpMethod != "POST" || description.RelativePath?.TrimEnd('/') != "api/jobs") return Task.CompletedTask;
        if (operation.RequestBody?.Content is not { } content || !content.TryGetValue("application/json", out var media)) return Task.CompletedTask;
        media.Examples ??= new Dictionary<string, IOpenApiExample>();
        foreach (var (key, summary) in Examples)
            media.Examples[key] = new OpenApiExample { Summary = summary, Value = Load(key) };
        return Task.CompletedTask;
    }

    private static JsonNode Load(string key)
    {
        using var stream = typeof(RequestExamples).Assembly.GetManifestResourceStream($"examples.{key}.json")
            ?? throw new InvalidOperationException($"The example '{key}' is not embedded.");
        return JsonNode.Parse(stream)!;
    }
}
