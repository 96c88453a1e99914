// The OpenAPI schema of every double the API reads or writes, of its arrays and maps, and of its enums. A double goes
// through FiniteDoubleConverter, and a property with a custom converter gets an empty schema
// (format only, no type), so generated clients typed every number `unknown` or `object`; enums
// came without `type: string`, so NSwag made integer enums a job then refused.
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace LstmService.Api.Infrastructure;

internal sealed class NumberSchemas : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        var underlying = Nullable.GetUnderlyingType(type);
        var plain = underlying ?? type;
        if (plain == typeof(double) || plain == typeof(float))
        {
            schema.Type = underlying is null ? JsonSchemaType.Number : JsonSchemaType.Number | JsonSchemaType.Null;
            schema.Format = plain == typeof(double) ? "double" : "float";
        }
        else if (plain.IsEnum)
        {
            schema.Type = underlying is null ? JsonSchemaType.String : JsonSchemaType.String | JsonSchemaType.Null;
        }
        else
        {
            DoubleItems(schema, plain);
            DoubleValues(schema, plain);
        }
        // An array of anything (a predict answer's outputs differ by model) still says so: items of any schema.
        if (schema.Type?.HasFlag(JsonSchemaType.Array) == true && schema.Items is null) schema.Items = new OpenApiSchema();
        return Task.CompletedTask;
    }

    // Arrays of doubles at any depth (double[], double[][], List<double[][]>) lost their items' schema
    // with the doubles': give each level its items, down to the numbers.
    private static void DoubleItems(OpenApiSchema schema, Type type)
    {
        if (JsonShape.ElementType(type) is not { } element || !IsDoubles(element)) return;
        var items = schema.Items as OpenApiSchema ?? new OpenApiSchema();
        schema.Items = items;
        if (element == typeof(double)) (items.Type, items.Format) = (JsonSchemaType.Number, "double");
        else if (element == typeof(double?)) (items.Type, items.Format) = (JsonSchemaType.Number | JsonSchemaType.Null, "double");
        else
        {
            items.Type = JsonSchemaType.Array;
            DoubleItems(items, element);
        }
    }

    // A map of doubles (per-target coverage) lost its values' schema the same way.
    private static void DoubleValues(OpenApiSchema schema, Type type)
    {
        var map = type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>));
        if (map?.GetGenericArguments() is not [_, var value] || (value != typeof(double) && value != typeof(double?))) return;
        schema.AdditionalProperties = new OpenApiSchema { Type = value == typeof(double) ? JsonSchemaType.Number : JsonSchemaType.Number | JsonSchemaType.Null, Format = "double" };
    }

    private static bool IsDoubles(Type type) => type == typeof(double) || type == typeof(double?) || (JsonShape.ElementType(type) is { } element && IsDoubles(element));
}
