// Safetensors files that lie, made from a valid model file by breaking one thing: cut short, a
// header length that is wrong, offsets out of range, a dtype that does not fit, a shape that is
// not the spec's, a broken header or metadata, a NaN weight. Every one must be refused.
using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;

namespace LstmService.Api.Tests.Fuzz;

internal sealed class CorruptSafeTensors(byte[] valid, Random random)
{
    private readonly int _headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(valid);
    private JsonObject Header() => JsonNode.Parse(Encoding.UTF8.GetString(valid, 8, _headerLength))!.AsObject();
    private byte[] Data => valid[(8 + _headerLength)..];
    private List<string> TensorNames => [.. Header().Select(p => p.Key).Where(k => k != "__metadata__")];
    private string AnyTensor() => TensorNames[random.Next(TensorNames.Count)];

    public IEnumerable<(string Kind, byte[] File)> All()
    {
        for (int i = 0; i < 40; i++) yield return ("safetensors: truncated", valid[..random.Next(0, valid.Length)]);

        foreach (ulong length in new[] { (ulong)valid.Length, (ulong)valid.Length - 7, ulong.MaxValue, long.MaxValue + 1UL, 0UL, 1UL, 100_000_001UL,
                     (ulong)_headerLength + 1, (ulong)_headerLength + 3, (ulong)_headerLength - 1, (ulong)_headerLength - 9 })
            yield return ("safetensors: lying header length", WithHeaderLength(length));

        foreach (var offsets in new[] { "[0, 999999]", "[8, 4]", "[-1, 4]", "[0, 1e12]", "[\"0\", 4]", "[0]", "[0, 4, 8]", "null", "{}", "[0, 18446744073709551616]" })
            for (int i = 0; i < 3; i++)
                yield return ("safetensors: offsets out of range", Rebuild(h => SetOffsets(h, AnyTensor(), offsets)));
        for (int i = 0; i < 5; i++) yield return ("safetensors: offsets out of range", Rebuild(h => ShiftEnd(h, AnyTensor(), Data.Length + 4)));

        foreach (var dtype in new[] { "\"F16\"", "\"BF16\"", "\"F64\"", "\"XYZ\"", "\"I32\"", "\"\"", "5", "null", "\"f32\"" })
            for (int i = 0; i < 4; i++)
                yield return ("safetensors: wrong dtype", Rebuild(h => h[AnyTensor()]!["dtype"] = JsonNode.Parse(dtype)));

        foreach (var name in TensorNames)
        {
            var shape = Header()[name]!["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
            long count = shape.Aggregate(1L, (a, b) => a * b);
            if (shape.Length == 2 && shape[0] != shape[1]) yield return ("safetensors: shape not the spec's", Rebuild(h => h[name]!["shape"] = Shape([shape[1], shape[0]])));
            yield return ("safetensors: shape not the spec's", Rebuild(h => h[name]!["shape"] = Shape([.. shape, 1])));   // same count, another rank
            yield return ("safetensors: shape not the spec's", Rebuild(h => h[name]!["shape"] = Shape([count + 1])));
            yield return ("safetensors: shape not the spec's", Rebuild(h => h[name]!["shape"] = JsonNode.Parse("[-1]")));
            yield return ("safetensors: shape not the spec's", Rebuild(h => h[name]!["shape"] = JsonNode.Parse("[2147483648, 2]")));
            yield return ("safetensors: shape not the spec's", Rebuild(h => h[name]!["shape"] = JsonNode.Parse("\"4x4\"")));
        }
        // A spec in the metadata that the tensors contradict, or that asks for an impossible model.
        foreach (var (field, value) in new[] { ("inputSize", "3"), ("hiddenSize", "9"), ("layers", "2"), ("hiddenSize", "1000000000"), ("inputSize", "-1"), ("cell", "\"gru\"") })
            yield return ("safetensors: shape not the spec's", Rebuild(h => SetSpec(h, field, value)));

        foreach (var broken in new Func<JsonObject, JsonObject>[]
        {
            h => { h.Remove(AnyTensor()); return h; },
            h => Rename(h, AnyTensor(), "lstm.weight_xx_l0"),
            h => { h["__metadata__"]!["spec"] = "{"; return h; },
            h => { h["__metadata__"]!["spec"] = "[]"; return h; },
            h => { h["__metadata__"]!["normalizer"] = "{\"inputMean\":[1,2,3]}"; return h; },
            h => { h["__metadata__"]!["normalizer"] = "nonsense"; return h; },
            h => { h["__metadata__"] = 5; return h; },
            h => { h["__metadata__"]!["spec"] = 5; return h; },
            h => { h.Remove("__metadata__"); return h; }, // no spec at all: the caller must give one
        })
            yield return ("safetensors: broken header or metadata", Rebuild(broken));
        foreach (string text in new[] { "[]", "{", "{\"a\":}", "nul", "{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", " {}" })
            yield return ("safetensors: broken header or metadata", Assemble(Encoding.UTF8.GetBytes(text), Data));
        yield return ("safetensors: broken header or metadata", Assemble([0xff, 0xfe, (byte)'{', (byte)'}'], Data));
        // Duplicate tensor names, which a JSON object reader would silently merge.
        string header = Encoding.UTF8.GetString(valid, 8, _headerLength).TrimEnd();
        string first = TensorNames[0];
        yield return ("safetensors: broken header or metadata", Assemble(Encoding.UTF8.GetBytes(header[..^1] + $",\"{first}\":" + Header()[first]!.ToJsonString() + "}"), Data));

        for (int i = 0; i < 6; i++)
        {
            var data = Data;
            BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4 * random.Next(data.Length / 4)), i % 2 == 0 ? float.NaN : float.PositiveInfinity);
            yield return ("safetensors: NaN or infinite weight", Assemble(Encoding.UTF8.GetBytes(header), data));
        }
        for (int i = 0; i < 20; i++)
        {
            var garbage = new byte[random.Next(0, 3000)];
            random.NextBytes(garbage);
            yield return ("safetensors: random bytes", garbage);
        }
    }

    private static JsonNode Shape(long[] dims) => new JsonArray([.. dims.Select(d => JsonValue.Create(d))]);

    private byte[] WithHeaderLength(ulong length)
    {
        var bytes = valid.ToArray();
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, length);
        return bytes;
    }

    private byte[] Rebuild(Func<JsonObject, JsonObject> change) => Assemble(Encoding.UTF8.GetBytes(change(Header()).ToJsonString()), Data);
    private byte[] Rebuild(Action<JsonObject> change) => Rebuild(h => { change(h); return h; });

    private static byte[] Assemble(byte[] header, byte[] data)
    {
        var file = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        data.CopyTo(file, 8 + header.Length);
        return file;
    }

    private static void SetOffsets(JsonObject header, string tensor, string offsets) => header[tensor]!["data_offsets"] = JsonNode.Parse(offsets);

    private static void ShiftEnd(JsonObject header, string tensor, long end) =>
        header[tensor]!["data_offsets"] = new JsonArray(header[tensor]!["data_offsets"]![0]!.GetValue<long>(), end);

    private static void SetSpec(JsonObject header, string field, string value)
    {
        var spec = JsonNode.Parse(header["__metadata__"]!["spec"]!.GetValue<string>())!;
        spec[field] = JsonNode.Parse(value);
        header["__metadata__"]!["spec"] = spec.ToJsonString();
    }

    private static JsonObject Rename(JsonObject header, string from, string to)
    {
        var entry = header[from]!.DeepClone();
        header.Remove(from);
        header[to] = entry;
        return header;
    }
}
