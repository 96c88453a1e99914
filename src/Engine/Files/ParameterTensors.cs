// Moving a network's parameters to and from named tensors (safetensors, PyTorch state dicts):
// every expected name must be present with its exact shape and finite values, and nothing else.
using System.Numerics;
using LstmService.Engine.Layers;

namespace LstmService.Engine.Files;

public static class ParameterTensors
{
    /// <summary>The parameters as tensors by PyTorch name, in state_dict order, widened to double.</summary>
    public static IReadOnlyList<SafeTensor> Export<T>(ParameterSet<T> parameters, string dtype) where T : unmanaged, IFloatingPointIeee754<T> =>
        parameters.Tensors.Select(t => new SafeTensor(t.Name, dtype, t.Shape,
            parameters.Values.AsSpan(t.Offset, t.Length).ToArray().Select(double.CreateChecked).ToArray())).ToList();

    /// <summary>
    /// Copies <paramref name="tensors"/> into <paramref name="parameters"/>. Throws
    /// <see cref="InvalidDataException"/> naming the tensor when one is missing, unexpected,
    /// shaped differently from the spec, or holds NaN or infinity; nothing is copied then.
    /// </summary>
    public static void Import<T>(ParameterSet<T> parameters, IReadOnlyList<SafeTensor> tensors) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var byName = new Dictionary<string, SafeTensor>();
        foreach (var tensor in tensors)
        {
            if (!parameters.Contains(tensor.Name))
                throw new InvalidDataException($"Tensor '{tensor.Name}' is not a parameter of this model (expected: {string.Join(", ", parameters.Tensors.Select(t => t.Name))}).");
            if (!byName.TryAdd(tensor.Name, tensor)) throw new InvalidDataException($"Tensor '{tensor.Name}' appears twice.");
            var expected = parameters[tensor.Name];
            if (!tensor.Shape.SequenceEqual(expected.Shape))
                throw new InvalidDataException($"Tensor '{tensor.Name}' has shape [{string.Join(", ", tensor.Shape)}]; the model spec needs [{string.Join(", ", expected.Shape)}].");
            if (tensor.Values.Any(v => !double.IsFinite(v)))
                throw new InvalidDataException($"Tensor '{tensor.Name}' contains NaN or infinity.");
        }
        var missing = parameters.Tensors.Where(t => !byName.ContainsKey(t.Name)).Select(t => t.Name).ToList();
        if (missing.Count > 0) throw new InvalidDataException($"Missing tensors: {string.Join(", ", missing)}.");

        foreach (var tensor in tensors)
        {
            var target = parameters.ValuesOf(tensor.Name);
            for (int i = 0; i < target.Length; i++) target[i] = T.CreateChecked(tensor.Values[i]);
        }
    }
}
