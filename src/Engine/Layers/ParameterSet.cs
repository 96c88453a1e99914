// Every trainable number of a network in one flat buffer, with the gradient buffer beside it, so
// optimizers, clipping, checkpoints and model files see one array. Named tensors are views into it,
// by PyTorch's state_dict names and shapes.
using System.Numerics;

namespace LstmService.Engine.Layers;

/// <summary>One named tensor inside the flat parameter buffer.</summary>
public sealed record ParameterTensor(string Name, int[] Shape, int Offset)
{
    public int Length => Shape.Aggregate(1, (a, b) => a * b);
}

public sealed class ParameterSet<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Dictionary<string, ParameterTensor> _byName;

    public ParameterSet(IReadOnlyList<ParameterTensor> tensors)
    {
        Tensors = tensors;
        _byName = tensors.ToDictionary(t => t.Name);
        int count = tensors.Count == 0 ? 0 : tensors[^1].Offset + tensors[^1].Length;
        Values = new T[count];
        Gradients = new T[count];
    }

    /// <summary>The tensors in state_dict order, laid out back to back.</summary>
    public IReadOnlyList<ParameterTensor> Tensors { get; }
    public T[] Values { get; }
    public T[] Gradients { get; }
    public int Count => Values.Length;

    public ParameterTensor this[string name] =>
        _byName.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"No parameter named '{name}'.");

    public bool Contains(string name) => _byName.ContainsKey(name);

    public Span<T> ValuesOf(string name) { var t = this[name]; return Values.AsSpan(t.Offset, t.Length); }
    public Span<T> GradientsOf(string name) { var t = this[name]; return Gradients.AsSpan(t.Offset, t.Length); }

    /// <summary>Builds the layout: tensors appended in order, each starting where the last ended.</summary>
    internal sealed class Builder
    {
        private readonly List<ParameterTensor> _tensors = [];
        private int _next;

        public int Add(string name, params int[] shape)
        {
            var t = new ParameterTensor(name, shape, _next);
            _tensors.Add(t);
            _next += t.Length;
            return t.Offset;
        }

        public ParameterSet<T> Build() => new(_tensors);
    }
}
