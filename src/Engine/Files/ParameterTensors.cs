// Moving a network's parameters to and from named tensors (safetensors, PyTorch state dicts):
// every expected name must be present with its exact shape and finite values, and nothing else.
using System.Numerics;
using LstmService.Engine.Layers;

namespace LstmService.Engine.Files;

public static class ParameterTensors
{
    /// <summary>The parameters as tensors by PyTorch name, in state_dict order, widened to double.</summary>
    public static IReadOnlyList<SafeTensor> Export<T>(ParameterSet<T> parameters, string dtype) where T : unmanaged, IFloatingPointIeee754<T> =>
        parameters.Tensors.Select(t => new SafeTensor(t.Name, dtype, [.. t.Shape],
            parameters.Values.AsSpan(t.Offset, t.Length).ToArray().Select(double.CreateChecked).ToArray())).ToList();

    /// <summary>
    /// Checks <paramref name="tensors"/> against the layout of a valid <paramref name="spec"/>
    /// without allocating a network: <see cref="InvalidDataException"/> naming the tensor when one
    /// is missing, unexpected, shaped differently from the spec, or holds NaN or infinity.
    /// </summary>
    public static void Check(ModelSpec spec, IReadOnlyList<SafeTensor> tensors) =>
        Check(spec.ParameterLayout().Select(t => (t.Name, (IReadOnlyList<int>)t.Shape)).ToList(), tensors);

    /// <summary>Copies <paramref name="tensors"/> into <paramref name="parameters"/> after the same checks; nothing is copied when one fails.</summary>
    public static void Import<T>(ParameterSet<T> parameters, IReadOnlyList<SafeTensor> tensors) where T : unmanaged, IFloatingPointIeee754<T>
    {
        parameters.EnsureNotFinal();
        Check(parameters.Tensors.Select(t => (t.Name, t.Shape)).ToList(), tensors);
        var converted = new T[parameters.Count];
        foreach (var tensor in tensors)
        {
            int offset = parameters[tensor.Name].Offset;
            for (int i = 0; i < tensor.Values.Length; i++)
            {
                // A finite double can still overflow float32.
                var value = T.CreateChecked(tensor.Values[i]);
                if (!T.IsFinite(value)) throw new InvalidDataException($"Tensor '{tensor.Name}' holds {tensor.Values[i]:R}, beyond the range of {typeof(T).Name}.");
                converted[offset + i] = value;
            }
        }
        converted.CopyTo(parameters.Values, 0);
    }

    private static void Check(List<(string Name, IReadOnlyList<int> Shape)> expected, IReadOnlyList<SafeTensor> tensors)
    {
        var shapes = expected.ToDictionary(t => t.Name, t => t.Shape);
        var seen = new HashSet<string>();
        foreach (var tensor in tensors)
        {
            if (!shapes.TryGetValue(tensor.Name, out var shape))
                throw new InvalidDataException($"Tensor '{tensor.Name}' is not a parameter of this model (expected: {string.Join(", ", expected.Select(t => t.Name))}).");
            if (!seen.Add(tensor.Name)) throw new InvalidDataException($"Tensor '{tensor.Name}' appears twice.");
            if (!tensor.Shape.SequenceEqual(shape))
                throw new InvalidDataException($"Tensor '{tensor.Name}' has shape [{string.Join(", ", tensor.Shape)}]; the model spec needs [{string.Join(", ", shape)}].");
            if (tensor.Values.Any(v => !double.IsFinite(v)))
                throw new InvalidDataException($"Tensor '{tensor.Name}' contains NaN or infinity.");
        }
        var missing = expected.Where(t => !seen.Contains(t.Name)).Select(t => t.Name).ToList();
        if (missing.Count > 0) throw new InvalidDataException($"Missing tensors: {string.Join(", ", missing)}.");
    }
}
