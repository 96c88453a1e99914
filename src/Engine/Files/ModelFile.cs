// The model file: one safetensors file holding the weights by PyTorch names and, in its
// __metadata__, the spec and normalizer as JSON. The same format is stored, exported and
// imported; a PyTorch nn.LSTM + nn.Linear state dict saved as safetensors reads as one too
// (its spec then comes from the caller, completed from the tensors' shapes).
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;
using LstmService.Engine.Data;
using LstmService.Engine.Layers;

namespace LstmService.Engine.Files;

/// <summary>What a model file holds: the architecture, the normalizer if any, and the tensors.</summary>
public sealed record ModelFileContents(ModelSpec Spec, Normalizer? Normalizer, IReadOnlyList<SafeTensor> Tensors)
{
    /// <summary>A network of precision <typeparamref name="T"/> holding these weights.</summary>
    public LstmNetwork<T> CreateNetwork<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        var network = new LstmNetwork<T>(Spec);
        ParameterTensors.Import(network.Parameters, Tensors);
        return network;
    }
}

public static class ModelFile
{
    public const string Format = "lstmservice-model/1";

    /// <summary>camelCase names and camelCase enum strings, as the HTTP API writes them.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
    };

    /// <summary>Writes the weights in the network's own precision (F32 or F64) with the spec and normalizer.</summary>
    public static void Write<T>(Stream stream, LstmNetwork<T> network, Normalizer? normalizer) where T : unmanaged, IFloatingPointIeee754<T>
    {
        string dtype = typeof(T) == typeof(double) ? "F64" : "F32";
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["spec"] = JsonSerializer.Serialize(network.Spec, JsonOptions),
        };
        if (normalizer is not null) metadata["normalizer"] = JsonSerializer.Serialize(normalizer, JsonOptions);
        SafeTensors.Write(stream, ParameterTensors.Export(network.Parameters, dtype), metadata, dtype);
    }

    public static byte[] ToBytes<T>(LstmNetwork<T> network, Normalizer? normalizer) where T : unmanaged, IFloatingPointIeee754<T>
    {
        using var stream = new MemoryStream();
        Write(stream, network, normalizer);
        return stream.ToArray();
    }

    /// <summary>
    /// Reads a model file. The spec comes from the file's metadata; for a file without one (a
    /// PyTorch state dict) from <paramref name="spec"/>, its sizes completed from the tensor
    /// shapes. A caller's spec for a file that has its own must agree with it on what the shapes
    /// cannot tell (cell, head, output placement, loss). The tensors are checked against the
    /// spec. Throws <see cref="InvalidDataException"/> for anything malformed, saying what.
    /// </summary>
    public static ModelFileContents Read(ReadOnlySpan<byte> bytes, ModelSpec? spec = null)
    {
        var file = SafeTensors.Read(bytes);
        ModelSpec? stored = null;
        Normalizer? normalizer = null;
        try
        {
            if (file.Metadata.TryGetValue("spec", out var specJson))
                stored = JsonSerializer.Deserialize<ModelSpec>(specJson, JsonOptions);
            if (file.Metadata.TryGetValue("normalizer", out var normalizerJson))
                normalizer = JsonSerializer.Deserialize<Normalizer>(normalizerJson, JsonOptions);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or NotSupportedException)
        {
            throw new InvalidDataException($"The model file's metadata is not valid: {e.Message}", e);
        }
        if (stored is not null && spec is not null && (stored.Cell, stored.Output, stored.Steps, stored.Loss) != (spec.Cell, spec.Output, spec.Steps, spec.Loss))
            throw new InvalidDataException($"The file's own spec ({stored.Cell}, {stored.Output} output on {stored.Steps} steps, {stored.Loss}) disagrees with the one given ({spec.Cell}, {spec.Output} output on {spec.Steps} steps, {spec.Loss}).");
        // A spec from the caller says what the sizes cannot (cell, head, loss); the shapes say the sizes.
        spec = stored ?? (spec is null
            ? throw new InvalidDataException("The file has no spec in its metadata; give one (at least the cell and output).")
            : CompleteFromShapes(file.Tensors, spec));
        try
        {
            spec.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"The model spec is not valid: {e.Message}", e);
        }
        if (normalizer is not null && (normalizer.InputMean.Count != spec.InputSize || (normalizer.TargetMean is { } t && t.Count != spec.OutputSize)))
            throw new InvalidDataException("The normalizer's sizes do not match the spec.");
        // Names, shapes and values now (the spec's size is capped by Validate, and nothing is
        // allocated from the file's claims), so a bad file fails here rather than at first use.
        ParameterTensors.Check(spec, file.Tensors);
        return new ModelFileContents(spec, normalizer, file.Tensors);
    }

    /// <summary>
    /// Input size, hidden size, layer count and (for a dense head) output size as the tensors
    /// say: weight_ih_l0 is [4H, X], the layers are the weight_ih_l* present, head.weight is [O, H].
    /// The rest of the spec (cell, head kind, loss) is the caller's.
    /// </summary>
    public static ModelSpec CompleteFromShapes(IReadOnlyList<SafeTensor> tensors, ModelSpec spec)
    {
        var byName = tensors.GroupBy(t => t.Name).ToDictionary(g => g.Key, g => g.First());
        if (!byName.TryGetValue("lstm.weight_ih_l0", out var first) || first.Shape.Length != 2 || first.Shape[0] % 4 != 0 || first.Shape[0] == 0)
            throw new InvalidDataException("The file has no tensor 'lstm.weight_ih_l0' of shape [4·hidden, input].");
        int layers = 0;
        while (layers <= 16 && byName.ContainsKey($"lstm.weight_ih_l{layers}")) layers++;
        var completed = spec with { InputSize = first.Shape[1], HiddenSize = first.Shape[0] / 4, Layers = layers };
        if (spec.Output == OutputKind.Dense && byName.TryGetValue("head.weight", out var head) && head.Shape.Length == 2)
            completed = completed with { OutputSize = head.Shape[0] };
        return completed;
    }
}
