// A working example on every JSON request body in the OpenAPI document, so "Try it out" in Swagger
// UI works as pressed and a client author sees a real request. Predict and forecast read windows
// of the "forecast" job example's series, so they work on the model it trains; evaluate scores a
// series model, so its example is the end of the elec-equip sample CSV, for a model trained on
// that. The files are src/Api/Examples/*.json, embedded.
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace LstmService.Api.Infrastructure;

internal sealed class RequestExamples : IOpenApiOperationTransformer
{
    // The example's name in Swagger UI is its file's.
    private static readonly (string Operation, string File, string Summary)[] Examples =
    [
        ("POST api/jobs", "seed", "The seed example: the numpy original's 4 steps of 50 inputs, seed cell, first hidden unit read out, 100 SGD epochs in float64"),
        ("POST api/jobs", "forecast", "A small forecaster: windows of a periodic series, next value after each window"),
        ("POST api/datasets", "waves", "Eight windows of a periodic series, each with the value after it"),
        ("POST api/models/{id}/predict", "windows", "Two windows, of 12 steps and of 4, for the model the forecast job example trains"),
        ("POST api/models/{id}/forecast", "history", "Six steps after the last 12 values, for the model the forecast job example trains"),
        ("POST api/models/{id}/evaluate", "recent", "The last four years of samples/elec-equip.csv, for a model trained on that CSV (evaluate scores series models and classifiers)"),
    ];

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        string name = $"{context.Description.HttpMethod} {context.Description.RelativePath?.TrimEnd('/')}";
        if (operation.RequestBody?.Content is not { } content || !content.TryGetValue("application/json", out var media)) return Task.CompletedTask;
        foreach (var (_, file, summary) in Examples.Where(e => e.Operation == name))
        {
            media.Examples ??= new Dictionary<string, IOpenApiExample>();
            media.Examples[file] = new OpenApiExample { Summary = summary, Value = Load(file) };
        }
        return Task.CompletedTask;
    }

    private static JsonNode Load(string file)
    {
        using var stream = typeof(RequestExamples).Assembly.GetManifestResourceStream($"examples.{file}.json")
            ?? throw new InvalidOperationException($"The example '{file}' is not embedded.");
        return JsonNode.Parse(stream)!;
    }
}
