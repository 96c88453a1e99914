// Reads and writes the safetensors format (github.com/huggingface/safetensors): an 8-byte header length,
// a JSON header, then raw little-endian data. Reading treats every byte as hostile (uploads reach it).
using System.Buffers;
using System.Buffers.Binary;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace LstmService.Engine.Files;

public static class SafeTensors
{
    /// <summary>The largest header accepted, the reference implementation's limit.</summary>
    public const int MaxHeaderBytes = 100_000_000;

    /// <summary>The dtypes <see cref="Read(ReadOnlySpan{byte})"/> accepts; <see cref="Write"/> stores F32 or F64.</summary>
    public static IReadOnlyList<string> SupportedDTypes { get; } = ["F64", "F32", "F16", "BF16"];

    private const string MetadataKey = "__metadata__";
    private const int ChunkBytes = 1 << 16;

    /// <summary>A header entry, checked on its own but not yet against its neighbours.</summary>
    private readonly record struct Entry(string Name, string DType, int ElementSize, int[] Shape, int Begin, int End);

    /// <summary>Parses a whole file. Throws <see cref="InvalidDataException"/>, and only that, for any malformed input.</summary>
    public static SafeTensorsFile Read(ReadOnlySpan<byte> file)
    {
        if (file.Length < 8)
            throw Invalid($"the file is {file.Length} bytes, shorter than the 8-byte header length that starts every file");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (headerLength > MaxHeaderBytes)
            throw Invalid($"the header length {headerLength} exceeds the {MaxHeaderBytes}-byte limit");
        if (headerLength > (ulong)(file.Length - 8))
            throw Invalid($"the header length {headerLength} is larger than the {file.Length - 8} bytes after it");

        var header = file.Slice(8, (int)headerLength);
        var data = file[(8 + (int)headerLength)..];
        var (entries, metadata) = ParseHeader(header, data.Length);
        entries = CheckCoverage(entries, data.Length);

        var tensors = new SafeTensor[entries.Count];
        for (int i = 0; i < tensors.Length; i++)
        {
            var e = entries[i];
            tensors[i] = new SafeTensor(e.Name, e.DType, e.Shape, Decode(e, data[e.Begin..e.End]));
        }
        return new SafeTensorsFile(tensors, metadata);
    }

    /// <summary>
    /// Reads a stream to its end without blocking (as ASP.NET Core request bodies need) and parses
    /// it; more than <paramref name="maxBytes"/> bytes is invalid data.
    /// </summary>
    public static async Task<SafeTensorsFile> ReadAsync(Stream stream, long maxBytes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        long cap = Cap(maxBytes);
        byte[] buffer = new byte[(int)Math.Min(cap + 1, ChunkBytes)];
        int length = 0;
        while (true)
        {
            if (length == buffer.Length) buffer = Grow(buffer, cap, maxBytes);
            int n = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (n == 0) break;
            length += n;
        }
        return ReadBuffered(buffer, length, cap, maxBytes);
    }

    /// <summary>
    /// Writes the tensors back to back in the order given, all stored as <paramref name="dtype"/> ("F32" or "F64";
    /// F32 rounds to nearest), with the header padded by spaces to a multiple of 8 bytes as the reference writer does.
    /// </summary>
    public static void Write(Stream stream, IEnumerable<SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata, string dtype)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensors);
        int size = dtype switch
        {
            "F32" => 4,
            "F64" => 8,
            _ => throw new ArgumentException($"dtype must be \"F32\" or \"F64\", not \"{dtype}\".", nameof(dtype)),
        };
        var list = tensors.ToList();
        CheckForWriting(list, metadata);
        byte[] header = Header(list, metadata, dtype, size);

        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);
        byte[] chunk = new byte[ChunkBytes];
        foreach (var t in list)
            WriteValues(stream, t.Values, size, chunk);
    }

    // ---- reading ----

    private static (List<Entry>, Dictionary<string, string>) ParseHeader(ReadOnlySpan<byte> header, int dataLength)
    {
        // The spec requires the header to open the object at its first byte; this also rules out a BOM.
        if (header.IsEmpty || header[0] != (byte)'{')
            throw Invalid("the header does not start with '{'; it must be a JSON object");
        if (!Utf8.IsValid(header))
            throw Invalid("the header is not valid UTF-8");

        JsonDocument document;
        try
        {
            // The deepest legal header is 3 levels; a low limit keeps nesting bombs cheap.
            document = JsonDocument.Parse(header.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException ex)
        {
            throw Invalid($"the header is not valid JSON ({ex.Message})");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Invalid("the header is not a JSON object");

            var entries = new List<Entry>();
            var metadata = new Dictionary<string, string>();
            // JsonDocument keeps duplicate keys; the spec forbids them, so they are caught here.
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                    throw Invalid(property.Name == MetadataKey
                        ? "the header has '__metadata__' twice"
                        : $"the header names tensor {Quote(property.Name)} twice");
                if (property.Name == MetadataKey)
                    metadata = ParseMetadata(property.Value);
                else
                    entries.Add(ParseEntry(property.Name, property.Value, dataLength));
            }
            return (entries, metadata);
        }
    }

    private static Dictionary<string, string> ParseMetadata(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Invalid($"'__metadata__' must be a JSON object of strings, not {Describe(value)}");
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw Invalid($"'__metadata__' value {Quote(item.Name)} must be a string, not {Describe(item.Value)}");
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
                throw Invalid($"'__metadata__' has key {Quote(item.Name)} twice");
        }
        return metadata;
    }

    private static Entry ParseEntry(string name, JsonElement value, int dataLength)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Invalid($"the header entry for tensor {Quote(name)} must be a JSON object, not {Describe(value)}");
        JsonElement? dtypeField = null, shapeField = null, offsetsField = null;
        foreach (var field in value.EnumerateObject())
        {
            ref JsonElement? slot = ref dtypeField;
            if (field.Name == "dtype") slot = ref dtypeField;
            else if (field.Name == "shape") slot = ref shapeField;
            else if (field.Name == "data_offsets") slot = ref offsetsField;
            else throw Invalid($"tensor {Quote(name)} has an unknown field {Quote(field.Name)} (expected dtype, shape, data_offsets)");
            if (slot is not null)
                throw Invalid($"tensor {Quote(name)} has field {Quote(field.Name)} twice");
            slot = field.Value;
        }

        var dtype = dtypeField ?? throw Invalid($"tensor {Quote(name)} has no 'dtype'");
        var shapeJson = shapeField ?? throw Invalid($"tensor {Quote(name)} has no 'shape'");
        var offsets = offsetsField ?? throw Invalid($"tensor {Quote(name)} has no 'data_offsets'");

        if (dtype.ValueKind != JsonValueKind.String)
            throw Invalid($"tensor {Quote(name)}: 'dtype' must be a string, not {Describe(dtype)}");
        string type = dtype.GetString()!;
        int elementSize = type switch { "F64" => 8, "F32" => 4, "F16" or "BF16" => 2, _ => 0 };
        if (elementSize == 0)
            throw Invalid($"tensor {Quote(name)} has dtype {Quote(type)}, which is not supported (supported: {string.Join(", ", SupportedDTypes)})");

        int[] shape = ParseShape(name, shapeJson);

        if (offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2
            || offsets[0].ValueKind != JsonValueKind.Number || !offsets[0].TryGetUInt64(out ulong begin)
            || offsets[1].ValueKind != JsonValueKind.Number || !offsets[1].TryGetUInt64(out ulong end))
            throw Invalid($"tensor {Quote(name)}: 'data_offsets' must be [begin, end], two non-negative integers, not {Snippet(offsets.GetRawText())}");
        if (begin > end)
            throw Invalid($"tensor {Quote(name)}: data_offsets [{begin}, {end}] end before they begin");
        if (end > (ulong)dataLength)
            throw Invalid($"tensor {Quote(name)}: data_offsets [{begin}, {end}] reach past the end of the {dataLength}-byte data block");

        // The element count is checked for overflow before it is compared with the bytes actually present.
        ulong count = 1;
        foreach (int dim in shape)
        {
            if (dim != 0 && count > ulong.MaxValue / (ulong)dim)
                throw Invalid($"tensor {Quote(name)}: the element count of shape {Snippet(shapeJson.GetRawText())} overflows");
            count *= (ulong)dim;
        }
        ulong bytes = end - begin;
        if (count > ulong.MaxValue / (ulong)elementSize || count * (ulong)elementSize != bytes)
            throw Invalid($"tensor {Quote(name)}: data_offsets [{begin}, {end}] span {bytes} bytes, but shape {Snippet(shapeJson.GetRawText())} of {type} needs {count} × {elementSize} bytes");

        return new Entry(name, type, elementSize, shape, (int)begin, (int)end);
    }

    private static int[] ParseShape(string name, JsonElement shapeJson)
    {
        if (shapeJson.ValueKind != JsonValueKind.Array)
            throw Invalid($"tensor {Quote(name)}: 'shape' must be an array of integers, not {Describe(shapeJson)}");
        // Bounded by the header's size, which is bounded by the input's.
        var shape = new int[shapeJson.GetArrayLength()];
        int i = 0;
        foreach (var item in shapeJson.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long dim))
                throw Invalid($"tensor {Quote(name)}: shape element {i} is {Snippet(item.GetRawText())}, not an integer");
            if (dim < 0)
                throw Invalid($"tensor {Quote(name)}: shape has a negative dimension {dim}");
            if (dim > int.MaxValue)
                throw Invalid($"tensor {Quote(name)}: shape dimension {dim} is too large");
            shape[i++] = (int)dim;
        }
        return shape;
    }

    /// <summary>
    /// The spec requires the tensors to cover the data block exactly: no overlaps (one byte, two meanings) and no
    /// uncovered bytes (room for a hidden payload). Returns the entries in data order.
    /// </summary>
    private static List<Entry> CheckCoverage(List<Entry> entries, int dataLength)
    {
        var ordered = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToList(); // stable: ties keep header order
        int covered = 0;
        string? previous = null;
        foreach (var e in ordered)
        {
            if (e.Begin < covered)
                throw Invalid($"tensors {Quote(previous)} and {Quote(e.Name)} overlap in the data block (at byte {e.Begin})");
            if (e.Begin > covered)
                throw Invalid($"bytes [{covered}, {e.Begin}) of the data block belong to no tensor (a gap before tensor {Quote(e.Name)})");
            covered = e.End;
            previous = e.Name;
        }
        if (covered != dataLength)
            throw Invalid($"bytes [{covered}, {dataLength}) at the end of the data block belong to no tensor");
        return ordered;
    }

    private static double[] Decode(Entry e, ReadOnlySpan<byte> bytes)
    {
        var values = new double[bytes.Length / e.ElementSize];
        switch (e.DType)
        {
            case "F64":
                for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadDoubleLittleEndian(bytes[(8 * i)..]);
                break;
            case "F32":
                for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]);
                break;
            case "F16":
                for (int i = 0; i < values.Length; i++) values[i] = (double)BinaryPrimitives.ReadHalfLittleEndian(bytes[(2 * i)..]);
                break;
            default: // BF16 is the top half of a float32
                for (int i = 0; i < values.Length; i++)
                    values[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * i)..]) << 16);
                break;
        }
        return values;
    }

    private static long Cap(long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        return Math.Min(maxBytes, Array.MaxLength - 1); // one spare byte proves the stream went past the cap
    }

    private static byte[] Grow(byte[] buffer, long cap, long maxBytes)
    {
        if (buffer.Length > cap) throw TooLarge(cap, maxBytes);
        var bigger = new byte[(int)Math.Min(buffer.Length * 2L, cap + 1)];
        buffer.CopyTo(bigger, 0);
        return bigger;
    }

    private static SafeTensorsFile ReadBuffered(byte[] buffer, int length, long cap, long maxBytes) =>
        length > cap ? throw TooLarge(cap, maxBytes) : Read(buffer.AsSpan(0, length));

    private static InvalidDataException TooLarge(long cap, long maxBytes) =>
        Invalid($"the file is larger than the {Math.Min(cap, maxBytes)}-byte limit");

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    /// <summary>Hostile text quoted in a message: cut short, control characters hidden, so messages stay loggable.</summary>
    private static string Snippet(string text)
    {
        const int Max = 80;
        var cut = text.Length <= Max ? text : text[..Max] + "…";
        return string.Create(cut.Length, cut, (span, s) =>
        {
            for (int i = 0; i < s.Length; i++) span[i] = char.IsControl(s[i]) ? '?' : s[i];
        });
    }

    private static string Quote(string? text) => $"'{Snippet(text ?? "")}'";

    private static InvalidDataException Invalid(string problem) => new($"Invalid safetensors file: {problem}.");

    // ---- writing ----

    private static void CheckForWriting(List<SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in tensors)
        {
            if (t is null || t.Name is null || t.Shape is null || t.Values is null)
                throw new ArgumentException("A tensor, or its name, shape or values, is null.", nameof(tensors));
            if (t.Name == MetadataKey)
                throw new ArgumentException($"'{MetadataKey}' is reserved and cannot name a tensor.", nameof(tensors));
            if (!names.Add(t.Name))
                throw new ArgumentException($"Tensor '{t.Name}' appears twice.", nameof(tensors));
            long count = 1;
            foreach (int dim in t.Shape)
            {
                if (dim < 0)
                    throw new ArgumentException($"Tensor '{t.Name}' has a negative dimension {dim}.", nameof(tensors));
                count = dim == 0 || count <= Array.MaxLength / dim ? count * dim : long.MaxValue;
            }
            if (count != t.Values.Length)
                throw new ArgumentException($"Tensor '{t.Name}': shape [{string.Join(", ", t.Shape)}] needs {count} values but it has {t.Values.Length}.", nameof(tensors));
        }
        if (metadata is not null)
            foreach (var (key, value) in metadata)
                if (key is null || value is null)
                    throw new ArgumentException("Metadata keys and values must not be null.", nameof(metadata));
    }

    private static byte[] Header(List<SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata, string dtype, int size)
    {
        var output = new ArrayBufferWriter<byte>();
        // The header is never embedded in HTML, so names and metadata can stay readable to other tools.
        using (var json = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata)
                    json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var t in tensors)
            {
                long end = offset + (long)t.Values.Length * size;
                json.WriteStartObject(t.Name);
                json.WriteString("dtype", dtype);
                json.WriteStartArray("shape");
                foreach (int dim in t.Shape) json.WriteNumberValue(dim);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(end);
                json.WriteEndArray();
                json.WriteEndObject();
                offset = end;
            }
            json.WriteEndObject();
        }

        // Padding makes the data block start 8-byte aligned, so readers can map F64 values in place.
        int padded = (output.WrittenCount + 7) / 8 * 8;
        if (padded > MaxHeaderBytes)
            throw new ArgumentException($"The header would be {padded} bytes, over the {MaxHeaderBytes}-byte limit readers accept.", nameof(metadata));
        var header = new byte[padded];
        output.WrittenSpan.CopyTo(header);
        header.AsSpan(output.WrittenCount).Fill((byte)' ');
        return header;
    }

    private static void WriteValues(Stream stream, double[] values, int size, byte[] chunk)
    {
        int perChunk = chunk.Length / size;
        for (int start = 0; start < values.Length; start += perChunk)
        {
            int n = Math.Min(perChunk, values.Length - start);
            for (int i = 0; i < n; i++)
            {
                var at = chunk.AsSpan(i * size);
                if (size == 8) BinaryPrimitives.WriteDoubleLittleEndian(at, values[start + i]);
                else BinaryPrimitives.WriteSingleLittleEndian(at, (float)values[start + i]);
            }
            stream.Write(chunk, 0, n * size);
        }
    }
}
