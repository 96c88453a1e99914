// Null where the service writes or takes null, and nowhere else, so a generated client's types are
// right. ASP.NET Core's generator gets three things wrong, mended here once the document is whole:
// - A nullable property of a shared type is `oneOf: [null, $ref]`, and a description beside the
//   $ref inside oneOf made NSwag generate a new, empty class instead of the referenced type.
// - A nullable enum puts null among the shared enum's values, where other properties use it too.
// - A required field of a request body is nullable when its C# type is (the validator answers a
//   missing one with a clear 400); null is no value a client may send there.
// - A response field with a C# default is not required, though every answer has it (null
//   included); openapi-typescript then types it as possibly missing.
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace LstmService.Api.Infrastructure;

internal static class ExactNullability
{
    public static Task Mend(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var components = document.Components?.Schemas ?? new Dictionary<string, IOpenApiSchema>();
        foreach (var component in components.Values.OfType<OpenApiSchema>())
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
        var (requestsOnly, responsesOnly) = Directions(document);
        foreach (var name in requestsOnly)
            if (components[name] is OpenApiSchema { Required: { } required, Properties: { } properties })
                foreach (var field in required)
                    if (properties[field] is OpenApiSchema { Type: { } type } property) property.Type = type & ~JsonSchemaType.Null;
        // The service's own records write every property, null or not, unless it says otherwise
        // (JsonIgnore); ASP.NET Core's ProblemDetails leaves out its null fields.
        var ownTypes = typeof(ExactNullability).Assembly.GetTypes().Where(t => t.IsPublic).ToDictionary(t => t.Name);
        foreach (var name in responsesOnly)
            if (ownTypes.TryGetValue(name, out var type) && components[name] is OpenApiSchema { Properties: { Count: > 0 } properties } schema)
                schema.Required = new HashSet<string>(properties.Keys.Where(field => AlwaysWritten(type, field)));
        return Task.CompletedTask;
    }

    private static bool AlwaysWritten(Type type, string field) =>
        type.GetProperties().FirstOrDefault(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name) == field) is { } property
        && property.GetCustomAttribute<JsonIgnoreAttribute>() is null or { Condition: JsonIgnoreCondition.Never };

    private static bool IsNull(JsonNode? value) => value is null || value.GetValueKind() == System.Text.Json.JsonValueKind.Null;

    // The component schemas that only request bodies reach, and those that only responses reach.
    private static (HashSet<string> RequestsOnly, HashSet<string> ResponsesOnly) Directions(OpenApiDocument document)
    {
        var operations = document.Paths.Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []).ToList();
        var requests = Reachable(document, operations.SelectMany(o => o.RequestBody?.Content?.Values ?? []).Select(m => m.Schema));
        var responses = Reachable(document, operations.SelectMany(o => o.Responses?.Values.AsEnumerable() ?? []).SelectMany(r => r.Content?.Values ?? []).Select(m => m.Schema));
        return ([.. requests.Except(responses)], [.. responses.Except(requests)]);
    }

    private static HashSet<string> Reachable(OpenApiDocument document, IEnumerable<IOpenApiSchema?> roots)
    {
        var seen = new HashSet<string>();
        var pending = new Stack<IOpenApiSchema>(roots.OfType<IOpenApiSchema>());
        while (pending.TryPop(out var schema))
        {
            if (schema is OpenApiSchemaReference { Reference.Id: { } id })
            {
                if (seen.Add(id) && document.Components?.Schemas?.TryGetValue(id, out var target) == true) pending.Push(target);
                continue;
            }
            foreach (var child in (schema.Properties?.Values ?? []).Concat(schema.OneOf ?? []).Concat(schema.AllOf ?? []).Concat(schema.AnyOf ?? [])
                .Append(schema.Items).Append(schema.AdditionalProperties).OfType<IOpenApiSchema>())
                pending.Push(child);
        }
        return seen;
    }
}
