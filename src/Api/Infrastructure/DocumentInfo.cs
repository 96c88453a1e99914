// What the OpenAPI document says of the service as a whole, for Swagger UI's header and for the
// clients generated from it: the jobs → models flow, where the guides are, each tag's purpose.
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace LstmService.Api.Infrastructure;

internal static class DocumentInfo
{
    private static readonly Dictionary<string, string> Tags = new()
    {
        ["Jobs"] = "Training jobs: post one (inline sequences or a dataset), follow its progress and losses, cancel or delete it. A job that succeeds makes a model.",
        ["Models"] = "Trained (or imported) models: their settings and evaluation, predictions, forecasts with intervals, scores on new data, weights as safetensors.",
        ["Datasets"] = "Uploaded data, reused by jobs: JSON sequences, or CSV time series (one, or several by a series column).",
        ["Backups"] = "Consistent copies of the database, written on the server.",
    };

    public static Task Describe(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "LstmService";
        document.Info.Description = """
            Trains LSTM sequence models and serves their predictions.

            The flow: upload a dataset (`POST /api/datasets`: JSON sequences, or a CSV time series) or send
            sequences inline, post a job (`POST /api/jobs`; every field has a default), follow it
            (`GET /api/jobs/{id}`, or the `events` stream) until it succeeds, then use the model it made
            (`modelId`): `predict`, `forecast` (with prediction intervals), `evaluate`, or download its `weights`.
            A series model is scored on a held-out part of its data beside naive baselines (`evaluation`).

            Errors are RFC 7807 problem details; a 400 lists every bad field by its JSON path. With API keys
            configured, send `X-Api-Key`. Guides: docs/api.md (this API in full), docs/forecasting.md (series
            models and their evaluation) and docs/operations.md (running the service), in the repository.
            """;
        foreach (var tag in document.Tags ?? new HashSet<OpenApiTag>())
            if (tag.Name is { } name && Tags.TryGetValue(name, out var description)) tag.Description = description;
        return Task.CompletedTask;
    }
}
