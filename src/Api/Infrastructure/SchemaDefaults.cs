// The default of every optional number, flag and text field in the OpenAPI document, read from
// the request record itself, so that a generated client starts from the service's defaults:
// without them NSwag's client sent batchSize 0 and normalize false for fields never set.
using System.Text.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace LstmService.Api.Infrastructure;

internal sealed class SchemaDefaults : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonPropertyInfo is not { Get: { } get } property || property.DeclaringType.GetConstructor(Type.EmptyTypes) is null) return Task.CompletedTask;
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        // Numbers, flags, names: a nested object's default is its own fields' defaults. (An enum
        // property becomes a reference to the enum's shared schema after this runs, which drops a
        // default set here; enums' defaults are in docs/api.md.)
        if (!(type.IsPrimitive || type == typeof(string))) return Task.CompletedTask;
        if (get(Activator.CreateInstance(property.DeclaringType)!) is { } value)
            schema.Default = JsonSerializer.SerializeToNode(value, property.PropertyType, ApiJson.Options);
        return Task.CompletedTask;
    }
}
