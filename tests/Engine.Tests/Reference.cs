// Reads the reference data shipped in Reference/ (copied from shared/reference: the seed
// example's traces and the PyTorch parity cases).
using System.Text.Json;

namespace LstmService.Engine.Tests;

internal static class Reference
{
    public static string PathOf(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Reference", .. parts]);

    public static JsonElement Load(params string[] parts) => JsonDocument.Parse(File.ReadAllBytes(PathOf(parts))).RootElement;

    /// <summary>A nested JSON array of numbers flattened in row-major order.</summary>
    public static double[] Flat(JsonElement e)
    {
        var values = new List<double>();
        void Walk(JsonElement x)
        {
            if (x.ValueKind == JsonValueKind.Array) foreach (var item in x.EnumerateArray()) Walk(item);
            else values.Add(x.GetDouble());
        }
        Walk(e);
        return [.. values];
    }

    public static double[][] Matrix(JsonElement e) => e.EnumerateArray().Select(Flat).ToArray();

    /// <summary>|a − e| ≤ tolerance·max(|e|, floor) for every element, with the first miss in the message.</summary>
    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double tolerance, string what, double floor = 1e-12)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            if (error > tolerance * Math.Max(Math.Abs(expected[i]), floor))
                Assert.Fail($"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (relative error {error / Math.Abs(expected[i]):E2}, tolerance {tolerance:E0}).");
        }
    }
}
