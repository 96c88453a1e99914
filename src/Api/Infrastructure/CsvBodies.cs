// A CSV request body is text, not the JSON object the same endpoint also takes: the document says
// so (type string, with a small example), so a generated client sends the file's text as it is.
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace LstmService.Api.Infrastructure;

internal sealed class CsvBodies : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (operation.RequestBody?.Content?.TryGetValue("text/csv", out var csv) == true)
        {
            csv.Schema = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Description = "A header row naming the columns, then one row per time step; a date column is the time index.",
            };
            csv.Example = System.Text.Json.Nodes.JsonValue.Create("date,orders\n1995-01-01,66.19\n1995-02-01,65.15\n1995-03-01,80.51\n");
        }
        return Task.CompletedTask;
    }
}
