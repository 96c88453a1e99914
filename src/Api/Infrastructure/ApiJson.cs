// The one JSON dialect of the service: camelCase names, camelCase enum strings, numbers only as
// JSON numbers (no "1.5" or "NaN" strings) and finite (no 1e309), so a wrong type is a 400, not a guess.
using System.Text.Json;
using System.Text.Json.Serialization;
using LstmService.Engine.Files;

namespace LstmService.Api.Infrastructure;

internal static class ApiJson
{
    /// <summary>The engine's model-file spelling (one spelling for specs everywhere), strict about numbers.</summary>
    public static JsonSerializerOptions Options { get; } = new(ModelFile.JsonOptions)
    {
        NumberHandling = JsonNumberHandling.Strict,
        Converters = { new FiniteDoubleConverter() },
    };

    /// <summary>A stored JSON column read back; null stays null.</summary>
    public static T? Read<T>(string? json) where T : class => json is null ? null : JsonSerializer.Deserialize<T>(json, Options);
}
