// The safetensors reader and writer: round trips, the PyTorch-written reference files, the writer's
// layout, and every kind of malformed input failing with InvalidDataException and a message that says why.
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using LstmService.Engine.Files;

namespace LstmService.Engine.Tests;

public class SafeTensorsTests
{
    private static readonly string ReferenceDirectory = Path.Combine(AppContext.BaseDirectory, "Reference", "pytorch-parity");

    // ---- round trips ----

    [Fact]
    public void F64_round_trip_is_bit_exact()
    {
        double[] awkward = [Math.PI, -0.0, double.Epsilon, double.MaxValue, double.NaN, double.NegativeInfinity, 1e-310, -1.0 / 3];
        SafeTensor[] tensors =
        [
            new("lstm.weight_ih_l0", "F64", [4, 2], awkward),
            new("scalar", "F64", [], [2.5]),
            new("empty", "F64", [0, 3], []),
            new("head.bias", "F64", [3], [0.1, 0.2, 0.3]),
        ];

        var read = SafeTensors.Read(Write(tensors, null, "F64"));

        Assert.Equal(tensors.Select(t => t.Name), read.Tensors.Select(t => t.Name));
        for (int i = 0; i < tensors.Length; i++)
        {
            Assert.Equal("F64", read.Tensors[i].DType);
            Assert.Equal(tensors[i].Shape, read.Tensors[i].Shape);
            Assert.Equal(tensors[i].Values.Select(BitConverter.DoubleToInt64Bits), read.Tensors[i].Values.Select(BitConverter.DoubleToInt64Bits));
        }
        Assert.Empty(read.Metadata);
    }

    [Fact]
    public void F32_round_trip_gives_the_float_rounded_values()
    {
        double[] values = [Math.PI, -1.0 / 3, 1e-40, 1e300, -1e300, 0.1, double.NaN, 16777217];
        var read = SafeTensors.Read(Write([new SafeTensor("w", "F64", [2, 2, 2], values)], null, "F32"));

        var t = Assert.Single(read.Tensors);
        Assert.Equal("F32", t.DType);
        Assert.Equal([2, 2, 2], t.Shape);
        Assert.Equal(values.Select(v => (double)(float)v), t.Values);
        Assert.Equal(float.PositiveInfinity, t.Values[3]); // overflow rounds to infinity, as a float cast does
    }

    [Fact]
    public void Metadata_round_trips()
    {
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pt",
            ["note"] = "quotes \" backslash \\ newline \n unicode é ∑ <tag> +",
            ["empty"] = "",
        };
        var read = SafeTensors.Read(Write([new SafeTensor("a", "F32", [1], [1])], metadata, "F32"));

        Assert.Equal(metadata.OrderBy(p => p.Key), read.Metadata.OrderBy(p => p.Key));
    }

    [Fact]
    public void A_file_with_no_tensors_round_trips()
    {
        var read = SafeTensors.Read(Write([], null, "F32"));
        Assert.Empty(read.Tensors);
        Assert.Empty(read.Metadata);
    }

    [Fact]
    public async Task Streams_are_read_asynchronously()
    {
        byte[] file = Write([new SafeTensor("a", "F64", [2], [1, 2])], null, "F64");
        var read = await SafeTensors.ReadAsync(new MemoryStream(file), maxBytes: file.Length);
        Assert.Equal([1.0, 2.0], read.Tensors[0].Values);
    }

    [Fact]
    public async Task A_stream_longer_than_the_limit_is_rejected()
    {
        byte[] file = Write([new SafeTensor("a", "F64", [100], new double[100])], null, "F64");

        var justOver = await Assert.ThrowsAsync<InvalidDataException>(() => SafeTensors.ReadAsync(new MemoryStream(file), maxBytes: file.Length - 1));
        var farOver = await Assert.ThrowsAsync<InvalidDataException>(() => SafeTensors.ReadAsync(new MemoryStream(file), maxBytes: 100));

        Assert.Contains($"larger than the {file.Length - 1}-byte limit", justOver.Message);
        Assert.Contains("larger than the 100-byte limit", farOver.Message);
    }

    // ---- the writer's layout ----

    [Fact]
    public void The_writer_pads_the_header_to_a_multiple_of_8_and_lays_tensors_back_to_back()
    {
        SafeTensor[] tensors = [new("lstm.weight_hh_l0", "F64", [2, 3], [1, 2, 3, 4, 5, 6]), new("x", "F64", [], [7])];
        var metadata = new Dictionary<string, string> { ["format"] = "pt" };
        byte[] file = Write(tensors, metadata, "F32");

        int n = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(file));
        Assert.Equal(0, n % 8);
        string header = Encoding.UTF8.GetString(file, 8, n);
        string json = header.TrimEnd(' ');
        Assert.True(n - json.Length < 8, "at most 7 bytes of padding");
        Assert.EndsWith("}", json);

        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal(["__metadata__", "lstm.weight_hh_l0", "x"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("pt", root.GetProperty("__metadata__").GetProperty("format").GetString());
        AssertEntry(root.GetProperty("lstm.weight_hh_l0"), [2, 3], 0, 24);
        AssertEntry(root.GetProperty("x"), [], 24, 28);
        Assert.Equal(8 + n + 28, file.Length);
        Assert.Equal(4f, BinaryPrimitives.ReadSingleLittleEndian(file.AsSpan(8 + n + 12)));

        static void AssertEntry(JsonElement entry, int[] shape, long begin, long end)
        {
            Assert.Equal("F32", entry.GetProperty("dtype").GetString());
            Assert.Equal(shape, entry.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
            Assert.Equal([begin, end], entry.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()));
        }
    }

    [Fact]
    public void The_writer_rejects_what_it_cannot_store()
    {
        var ok = new SafeTensor("a", "F64", [2], [1, 2]);
        Assert.Contains("\"F32\" or \"F64\"", Assert.Throws<ArgumentException>(() => Write([ok], null, "F16")).Message);
        Assert.Contains("needs 3 values but it has 2", Assert.Throws<ArgumentException>(() => Write([ok with { Shape = [3] }], null, "F32")).Message);
        Assert.Contains("negative dimension", Assert.Throws<ArgumentException>(() => Write([ok with { Shape = [-2] }], null, "F32")).Message);
        Assert.Contains("appears twice", Assert.Throws<ArgumentException>(() => Write([ok, ok], null, "F32")).Message);
        Assert.Contains("reserved", Assert.Throws<ArgumentException>(() => Write([ok with { Name = "__metadata__" }], null, "F32")).Message);
    }

    // ---- files written by PyTorch ----

    [Theory]
    [InlineData("tiny")]
    [InlineData("stacked")]
    public void Reads_the_PyTorch_reference_files(string name)
    {
        var file = SafeTensors.Read(File.ReadAllBytes(Path.Combine(ReferenceDirectory, name + ".safetensors")));
        using var reference = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(ReferenceDirectory, name + ".json")));
        var parameters = reference.RootElement.GetProperty("params");
        var order = reference.RootElement.GetProperty("param_order").EnumerateArray().Select(e => e.GetString()!).ToArray();

        Assert.Equal(order, file.Tensors.Select(t => t.Name));
        foreach (var t in file.Tensors)
        {
            var expected = parameters.GetProperty(t.Name);
            Assert.Equal("F32", t.DType);
            Assert.Equal(ShapeOf(expected), t.Shape);
            Assert.Equal(Flatten(expected).Select(v => (double)(float)v), t.Values);
        }
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal(name, file.Metadata["case"]);
    }

    [Theory]
    [InlineData("tiny")]
    [InlineData("stacked")]
    public void Rewriting_a_PyTorch_file_reproduces_it_byte_for_byte(string name)
    {
        byte[] original = File.ReadAllBytes(Path.Combine(ReferenceDirectory, name + ".safetensors"));
        var file = SafeTensors.Read(original);

        Assert.Equal(original, Write(file.Tensors, file.Metadata, "F32"));
    }

    [Fact]
    public void F16_and_BF16_are_read_as_the_numbers_they_hold()
    {
        // F16: 1, -2, 0.5, 65504 (the largest half). BF16: 1, -2, 3.140625, 2^-126 (smallest normal float).
        ushort[] half = [0x3C00, 0xC000, 0x3800, 0x7BFF];
        ushort[] brain = [0x3F80, 0xC000, 0x4049, 0x0080];
        var data = half.Concat(brain).SelectMany(h => BitConverter.GetBytes(h)).ToArray();
        byte[] file = Build("{'h':{'dtype':'F16','shape':[4],'data_offsets':[0,8]},'b':{'dtype':'BF16','shape':[2,2],'data_offsets':[8,16]}}", data);

        var read = SafeTensors.Read(file);

        Assert.Equal([1.0, -2.0, 0.5, 65504.0], read.Tensors[0].Values);
        Assert.Equal([1.0, -2.0, 3.140625, Math.Pow(2, -126)], read.Tensors[1].Values);
        Assert.Equal(["F16", "BF16"], read.Tensors.Select(t => t.DType));
    }

    [Fact]
    public void Tensors_come_back_in_data_order_whatever_the_header_order()
    {
        byte[] file = Build("{'b':{'dtype':'F32','shape':[1],'data_offsets':[4,8]},'z':{'dtype':'F32','shape':[0],'data_offsets':[4,4]},'a':{'dtype':'F32','shape':[1],'data_offsets':[0,4]}}", 8);

        Assert.Equal(["a", "z", "b"], SafeTensors.Read(file).Tensors.Select(t => t.Name));
    }

    // ---- malformed input ----

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void A_file_shorter_than_8_bytes_is_rejected(int length) =>
        AssertInvalid(new byte[length], $"the file is {length} bytes, shorter than the 8-byte header length");

    [Fact]
    public void A_header_length_past_the_end_of_the_file_is_rejected()
    {
        byte[] file = Build("{}", 0);
        BinaryPrimitives.WriteUInt64LittleEndian(file, 9);
        AssertInvalid(file, "the header length 9 is larger than the 2 bytes after it");
    }

    [Theory]
    [InlineData(100_000_001UL)]
    [InlineData(1UL << 40)]
    [InlineData(ulong.MaxValue)]
    public void An_absurd_header_length_is_rejected(ulong length)
    {
        byte[] file = Build("{}", 0);
        BinaryPrimitives.WriteUInt64LittleEndian(file, length);
        AssertInvalid(file, $"the header length {length} exceeds the 100000000-byte limit");
    }

    [Fact]
    public void A_header_that_is_not_UTF8_is_rejected()
    {
        byte[] file = Build("{'a':{}}", 0);
        file[10] = 0xFF; // inside the name
        AssertInvalid(file, "not valid UTF-8");
    }

    [Theory]
    [InlineData("", "does not start with '{'")]
    [InlineData("[1, 2]", "does not start with '{'")]
    [InlineData("\uFEFF{}", "does not start with '{'")]
    [InlineData(" {}", "does not start with '{'")]
    [InlineData("{'a':", "not valid JSON")]
    [InlineData("{} {}", "not valid JSON")]
    [InlineData("{'a':1,}", "not valid JSON")]
    [InlineData("{/*c*/}", "not valid JSON")]
    [InlineData("{'a':[[[[[[[[[[[[1]]]]]]]]]]]]}", "not valid JSON")]
    [InlineData("{} \0", "not valid JSON")]
    public void A_header_that_is_not_a_JSON_object_is_rejected(string header, string expected) =>
        AssertInvalid(Build(header, 0), expected);

    [Theory]
    [InlineData("{'a':{'shape':[1],'data_offsets':[0,4]}}", "tensor 'a' has no 'dtype'")]
    [InlineData("{'a':{'dtype':'F32','data_offsets':[0,4]}}", "tensor 'a' has no 'shape'")]
    [InlineData("{'a':{'dtype':'F32','shape':[1]}}", "tensor 'a' has no 'data_offsets'")]
    [InlineData("{'a':[1]}", "the header entry for tensor 'a' must be a JSON object, not an array")]
    [InlineData("{'a':null}", "the header entry for tensor 'a' must be a JSON object, not null")]
    [InlineData("{'a':{'dtype':32,'shape':[1],'data_offsets':[0,4]}}", "tensor 'a': 'dtype' must be a string, not a number")]
    [InlineData("{'a':{'dtype':'F32','shape':1,'data_offsets':[0,4]}}", "tensor 'a': 'shape' must be an array of integers, not a number")]
    [InlineData("{'a':{'dtype':'F32','shape':['1'],'data_offsets':[0,4]}}", "tensor 'a': shape element 0 is \"1\", not an integer")]
    [InlineData("{'a':{'dtype':'F32','shape':[1.0],'data_offsets':[0,4]}}", "tensor 'a': shape element 0 is 1.0, not an integer")]
    [InlineData("{'a':{'dtype':'F32','shape':[[1]],'data_offsets':[0,4]}}", "tensor 'a': shape element 0 is [1], not an integer")]
    [InlineData("{'a':{'dtype':'F32','shape':[1],'data_offsets':'0,4'}}", "tensor 'a': 'data_offsets' must be [begin, end]")]
    [InlineData("{'a':{'dtype':'F32','shape':[1],'data_offsets':[0]}}", "tensor 'a': 'data_offsets' must be [begin, end]")]
    [InlineData("{'a':{'dtype':'F32','shape':[1],'data_offsets':[0,4,8]}}", "tensor 'a': 'data_offsets' must be [begin, end]")]
    [InlineData("{'a':{'dtype':'F32','shape':[1],'data_offsets':['0','4']}}", "tensor 'a': 'data_offsets' must be [begin, end]")]
    [InlineData("{'a':{'dtype':'F32','shape':[1],'data_offsets':[0.5,4]}}", "tensor 'a': 'data_offsets' must be [begin, end]")]
    [InlineData("{'a':{'dtype':'F32','shape':[1],'data_offsets':[0,4],'extra':1}}", "tensor 'a' has an unknown field 'extra'")]
    [InlineData("{'a':{'dtype':'F32','dtype':'F32','shape':[1],'data_offsets':[0,4]}}", "tensor 'a' has field 'dtype' twice")]
    public void An_entry_with_missing_or_mistyped_fields_is_rejected(string header, string expected) =>
        AssertInvalid(Build(header, 4), expected);

    [Theory]
    [InlineData("I32")]
    [InlineData("I64")]
    [InlineData("BOOL")]
    [InlineData("U8")]
    [InlineData("F8_E4M3")]
    [InlineData("f32")]
    public void An_unsupported_dtype_is_rejected_with_the_supported_list(string dtype) =>
        AssertInvalid(Build($"{{'a':{{'dtype':'{dtype}','shape':[1],'data_offsets':[0,4]}}}}", 4),
            $"tensor 'a' has dtype '{dtype}', which is not supported (supported: F64, F32, F16, BF16)");

    [Fact]
    public void A_negative_dimension_is_rejected() =>
        AssertInvalid(Build("{'a':{'dtype':'F32','shape':[-1],'data_offsets':[0,4]}}", 4), "tensor 'a': shape has a negative dimension -1");

    [Fact]
    public void A_dimension_beyond_int_is_rejected() =>
        AssertInvalid(Build("{'a':{'dtype':'F32','shape':[4294967297],'data_offsets':[0,4]}}", 4), "tensor 'a': shape dimension 4294967297 is too large");

    [Theory]
    [InlineData("[2147483647,2147483647,2147483647]")]
    [InlineData("[65536,65536,65536,65536]")] // 2^64 exactly, which would wrap to 0
    public void A_shape_whose_element_count_overflows_is_rejected(string shape) =>
        AssertInvalid(Build($"{{'a':{{'dtype':'F32','shape':{shape},'data_offsets':[0,0]}}}}", 0), "tensor 'a': the element count of shape");

    [Fact]
    public void A_byte_count_that_wraps_after_the_dtype_size_is_rejected() =>
        // 2^30 × (2^31 − 1) × 4 = 2^63 − 2^32 elements fit in 64 bits; × 8 bytes they do not, and must not wrap.
        AssertInvalid(Build("{'a':{'dtype':'F64','shape':[1073741824,2147483647,4],'data_offsets':[0,0]}}", 0), "needs 9223372032559808512 × 8 bytes");

    [Fact]
    public void Offsets_that_end_before_they_begin_are_rejected() =>
        AssertInvalid(Build("{'a':{'dtype':'F32','shape':[1],'data_offsets':[4,0]}}", 4), "tensor 'a': data_offsets [4, 0] end before they begin");

    [Theory]
    [InlineData("[0,8]")]
    [InlineData("[18446744073709551611,18446744073709551615]")]
    public void Offsets_past_the_data_block_are_rejected(string offsets) =>
        AssertInvalid(Build($"{{'a':{{'dtype':'F32','shape':[1],'data_offsets':{offsets}}}}}", 4), "reach past the end of the 4-byte data block");

    [Fact]
    public void Negative_offsets_are_rejected() =>
        AssertInvalid(Build("{'a':{'dtype':'F32','shape':[1],'data_offsets':[-4,0]}}", 4), "tensor 'a': 'data_offsets' must be [begin, end], two non-negative integers, not [-4,0]");

    [Theory]
    [InlineData("F32", "[3]", "[0,8]", "span 8 bytes, but shape [3] of F32 needs 3 × 4 bytes")]
    [InlineData("F64", "[1]", "[0,4]", "span 4 bytes, but shape [1] of F64 needs 1 × 8 bytes")]
    [InlineData("F16", "[]", "[0,0]", "span 0 bytes, but shape [] of F16 needs 1 × 2 bytes")]
    public void A_byte_length_that_disagrees_with_shape_and_dtype_is_rejected(string dtype, string shape, string offsets, string expected) =>
        AssertInvalid(Build($"{{'a':{{'dtype':'{dtype}','shape':{shape},'data_offsets':{offsets}}}}}", 8), $"tensor 'a': data_offsets {offsets.Replace(",", ", ")} " + expected);

    [Fact]
    public void Overlapping_tensors_are_rejected() =>
        AssertInvalid(Build("{'a':{'dtype':'F32','shape':[2],'data_offsets':[0,8]},'b':{'dtype':'F32','shape':[2],'data_offsets':[4,12]}}", 12),
            "tensors 'a' and 'b' overlap in the data block (at byte 4)");

    [Fact]
    public void Two_tensors_on_the_same_bytes_are_rejected() =>
        AssertInvalid(Build("{'a':{'dtype':'F32','shape':[1],'data_offsets':[0,4]},'b':{'dtype':'F32','shape':[1],'data_offsets':[0,4]}}", 4),
            "tensors 'a' and 'b' overlap");

    [Theory]
    [InlineData("{'a':{'dtype':'F32','shape':[1],'data_offsets':[0,4]},'b':{'dtype':'F32','shape':[1],'data_offsets':[8,12]}}", 12, "bytes [4, 8) of the data block belong to no tensor (a gap before tensor 'b')")]
    [InlineData("{'a':{'dtype':'F32','shape':[1],'data_offsets':[4,8]}}", 8, "bytes [0, 4) of the data block belong to no tensor (a gap before tensor 'a')")]
    [InlineData("{'a':{'dtype':'F32','shape':[1],'data_offsets':[0,4]}}", 9, "bytes [4, 9) at the end of the data block belong to no tensor")]
    [InlineData("{}", 1, "bytes [0, 1) at the end of the data block belong to no tensor")]
    public void Data_bytes_that_belong_to_no_tensor_are_rejected(string header, int dataBytes, string expected) =>
        AssertInvalid(Build(header, dataBytes), expected);

    [Theory]
    [InlineData("{'a':{'dtype':'F32','shape':[1],'data_offsets':[0,4]},'a':{'dtype':'F32','shape':[1],'data_offsets':[4,8]}}", "the header names tensor 'a' twice")]
    [InlineData("{'a':{'dtype':'F32','shape':[1],'data_offsets':[0,4]},'\\u0061':{'dtype':'F32','shape':[1],'data_offsets':[4,8]}}", "the header names tensor 'a' twice")]
    [InlineData("{'__metadata__':{},'__metadata__':{}}", "the header has '__metadata__' twice")]
    public void Duplicate_names_are_rejected(string header, string expected) =>
        AssertInvalid(Build(header, 8), expected);

    [Theory]
    [InlineData("{'__metadata__':{'epochs':3}}", "'__metadata__' value 'epochs' must be a string, not a number")]
    [InlineData("{'__metadata__':{'k':null}}", "'__metadata__' value 'k' must be a string, not null")]
    [InlineData("{'__metadata__':{'k':{'nested':'x'}}}", "'__metadata__' value 'k' must be a string, not an object")]
    [InlineData("{'__metadata__':'pt'}", "'__metadata__' must be a JSON object of strings, not a string")]
    [InlineData("{'__metadata__':{'k':'x','k':'y'}}", "'__metadata__' has key 'k' twice")]
    public void Metadata_that_is_not_string_to_string_is_rejected(string header, string expected) =>
        AssertInvalid(Build(header, 0), expected);

    [Fact]
    public void Hostile_names_are_cut_short_in_messages()
    {
        string name = new('n', 10_000);
        var ex = AssertInvalid(Build($"{{'{name}':{{'dtype':'I8','shape':[1],'data_offsets':[0,1]}}}}", 1), "which is not supported");
        Assert.True(ex.Message.Length < 300, ex.Message);
    }

    [Fact]
    public void Every_truncation_of_a_real_file_is_rejected_cleanly()
    {
        byte[] original = File.ReadAllBytes(Path.Combine(ReferenceDirectory, "tiny.safetensors"));
        for (int length = 0; length < original.Length; length++)
            Assert.Throws<InvalidDataException>(() => SafeTensors.Read(original.AsSpan(0, length)));
    }

    [Fact]
    public void Random_corruptions_never_escape_as_anything_but_InvalidDataException()
    {
        byte[] original = File.ReadAllBytes(Path.Combine(ReferenceDirectory, "tiny.safetensors"));
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(original);
        var random = new Random(12345);
        byte[] interesting = "{}[]\",:-0123456789e. \\u\0\xff"u8.ToArray();
        for (int trial = 0; trial < 5000; trial++)
        {
            byte[] file = (byte[])original.Clone();
            int edits = random.Next(1, 4);
            for (int e = 0; e < edits; e++)
            {
                // Mostly the header, where the structure is; sometimes the length prefix.
                int at = random.Next(4) == 0 ? random.Next(8) : random.Next(8, headerEnd);
                file[at] = random.Next(2) == 0 ? interesting[random.Next(interesting.Length)] : (byte)random.Next(256);
            }
            try
            {
                SafeTensors.Read(file);
            }
            catch (InvalidDataException)
            {
            }
            catch (Exception ex)
            {
                Assert.Fail($"trial {trial}: {ex.GetType().Name}: {ex.Message}\nheader: {Encoding.UTF8.GetString(file, 8, Math.Min(headerEnd - 8, file.Length - 8))}");
            }
        }
    }

    // ---- helpers ----

    private static byte[] Write(IEnumerable<SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata, string dtype)
    {
        var stream = new MemoryStream();
        SafeTensors.Write(stream, tensors, metadata, dtype);
        return stream.ToArray();
    }

    /// <summary>A file with the given header (single quotes stand for double quotes) and zeroed data.</summary>
    private static byte[] Build(string header, int dataBytes) => Build(header, new byte[dataBytes]);

    private static byte[] Build(string header, byte[] data)
    {
        byte[] json = Encoding.UTF8.GetBytes(header.Replace('\'', '"'));
        var file = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)json.Length);
        json.CopyTo(file, 8);
        data.CopyTo(file, 8 + json.Length);
        return file;
    }

    private static InvalidDataException AssertInvalid(byte[] file, string expected)
    {
        var ex = Assert.Throws<InvalidDataException>(() => SafeTensors.Read(file));
        Assert.Contains(expected, ex.Message);
        return ex;
    }

    private static int[] ShapeOf(JsonElement value) =>
        value.ValueKind == JsonValueKind.Array ? [value.GetArrayLength(), .. ShapeOf(value[0])] : [];

    private static IEnumerable<double> Flatten(JsonElement value) =>
        value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().SelectMany(Flatten) : [value.GetDouble()];
}
