// The one JSON dialect of the service: camelCase names, camelCase enum strings, no NaN.
using System.Text.Json;
using LstmService.Engine.Files;

namespace LstmService.Api.Infrastructure;

internal static class ApiJson
{
    /// <summary>The engine's model-file options are the API's: one spelling for specs everywhere.</summary>
    public static JsonSerializerOptions Options => ModelFile.JsonOptions;
}
