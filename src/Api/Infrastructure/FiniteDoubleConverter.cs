// Reads a JSON number into a double only when it is finite: System.Text.Json turns a number beyond
// double's range (1e309) into infinity without complaint, which no request field can use and no
// answer can write back. Such a number is a JsonException, a 400 naming its path.
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LstmService.Api.Infrastructure;

internal sealed class FiniteDoubleConverter : JsonConverter<double>
{
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        // GetDouble throws for strings and other tokens, as the strict number handling wants.
        double value = reader.GetDouble();
        // Without a message, System.Text.Json says "could not be converted" and adds the path, as for any wrong value.
        return double.IsFinite(value) ? value : throw new JsonException();
    }

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
}
