// The default of every optional field in the OpenAPI document, read from the request record
// itself, so that a generated client starts from the service's defaults: without them NSwag's
// client sent batchSize 0, normalize false and optimizer sgd for fields never set.
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
        // property becomes a reference to the enum's shared schema after this runs, which would
        // drop a default set here: EnumDefaults sets those.)
        if (!(type.IsPrimitive || type == typeof(string))) return Task.CompletedTask;
        if (get(Activator.CreateInstance(property.DeclaringType)!) is { } value)
            schema.Default = JsonSerializer.SerializeToNode(value, property.PropertyType, ApiJson.Options);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Enum defaults, set once the document is whole: an enum property is then a reference to the
    /// enum's shared schema, and its default goes on the reference (for the request records, by
    /// their schemas' names).
    /// </summary>
    public static Task EnumDefaults(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var records = typeof(SchemaDefaults).Assembly.GetTypes().Where(t => t.IsPublic && t.GetConstructor(Type.EmptyTypes) is not null).ToDictionary(t => t.Name);
        foreach (var (name, component) in document.Components?.Schemas ?? new Dictionary<string, IOpenApiSchema>())
        {
            if (!records.TryGetValue(name, out var type) || component.Properties is not { } properties) continue;
            var instance = Activator.CreateInstance(type)!;
            foreach (var property in type.GetProperties())
                if ((Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType).IsEnum && property.GetValue(instance) is { } value
                    && properties.TryGetValue(JsonNamingPolicy.CamelCase.ConvertName(property.Name), out var schema) && schema is OpenApiSchemaReference reference)
                    reference.Default = JsonSerializer.SerializeToNode(value, property.PropertyType, ApiJson.Options);
        }
        return Task.CompletedTask;
    }
}
