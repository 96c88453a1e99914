// Each operation's name and text in the OpenAPI document, from its handler: the id is the
// handler's name (CreateJob, Forecast: the method names generated clients give), the summary the
// first sentence of its XML doc summary (one line in Swagger UI's list), the description all of it.
using System.Reflection;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace LstmService.Api.Infrastructure;

internal sealed class OperationText : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        operation.OperationId ??= context.Description.ActionDescriptor.EndpointMetadata.OfType<MethodInfo>().FirstOrDefault()?.Name;
        if (operation.Summary is { Length: > 0 } text && operation.Description is null)
        {
            string flat = string.Join(' ', text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
            int end = FirstSentenceEnd(flat);
            (operation.Summary, operation.Description) = (flat[..end].TrimEnd('.', ';', ':'), flat);
        }
        return Task.CompletedTask;
    }

    // The end of the first sentence: a full stop or semicolon followed by a space, outside
    // backticks and parentheses.
    private static int FirstSentenceEnd(string text)
    {
        bool code = false;
        int depth = 0;
        for (int i = 0; i < text.Length - 1; i++)
        {
            char c = text[i];
            if (c == '`') code = !code;
            else if (code) continue;
            else if (c == '(') depth++;
            else if (c == ')') depth = Math.Max(0, depth - 1);
            else if (depth == 0 && c is '.' or ';' && text[i + 1] == ' ') return i;
        }
        return text.Length;
    }
}
