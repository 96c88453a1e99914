// A nullable property whose type is a shared schema is `oneOf: [null, $ref]`. Two things that
// ASP.NET Core's generator adds break clients: a description beside the $ref inside oneOf (NSwag
// then makes a new, empty class instead of using the referenced type), and null among a nullable
// enum's shared values (the enum is not nullable where other properties use it). Both are moved to
// the property, where they belong.
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace LstmService.Api.Infrastructure;

internal static class NullableReferences
{
    public static Task Tidy(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var component in (document.Components?.Schemas ?? new Dictionary<string, IOpenApiSchema>()).Values.OfType<OpenApiSchema>())
        {
            if (component.Enum is { } values && values.Any(IsNull))
            {
                component.Enum = [.. values.Where(value => !IsNull(value))];
                component.Type &= ~JsonSchemaType.Null;
            }
            foreach (var property in (component.Properties ?? new Dictionary<string, IOpenApiSchema>()).Values.OfType<OpenApiSchema>())
            {
                if (property.OneOf is not { } branches) continue;
                for (int i = 0; i < branches.Count; i++)
                    if (branches[i] is OpenApiSchemaReference { Reference.Id: { } id } reference && reference.Description is { } description)
                    {
                        property.Description ??= description;
                        branches[i] = new OpenApiSchemaReference(id, document);
                    }
            }
        }
        return Task.CompletedTask;
    }

    private static bool IsNull(JsonNode? value) => value is null || value.GetValueKind() == System.Text.Json.JsonValueKind.Null;
}
