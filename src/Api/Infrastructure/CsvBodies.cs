// A CSV request body is text, not the JSON object the same endpoint also takes. Where CSV is the
// only type an operation takes, it is a file (format binary): a generated client sends a stream as
// it is and Swagger UI offers a file picker. Beside JSON, it is a string with a small example.
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace LstmService.Api.Infrastructure;

internal sealed class CsvBodies : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var content = operation.RequestBody?.Content;
        if (content?.TryGetValue("text/csv", out var csv) == true)
        {
            bool onlyCsv = content.Count == 1;
            csv.Schema = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Format = onlyCsv ? "binary" : null,
                Description = "A header row naming the columns, then one row per time step; a date column is the time index.",
            };
            if (!onlyCsv) csv.Example = System.Text.Json.Nodes.JsonValue.Create("date,orders\n1995-01-01,66.19\n1995-02-01,65.15\n1995-03-01,80.51\n");
        }
        return Task.CompletedTask;
    }
}
