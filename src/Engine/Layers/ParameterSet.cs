// Every trainable number of a network in one flat buffer, with the gradient buffer beside it, so
// optimizers, clipping, checkpoints and model files see one array. Named tensors are views into it,
// by PyTorch's state_dict names and shapes.
using System.Numerics;

namespace LstmService.Engine.Layers;

/// <summary>One named tensor inside the flat parameter buffer.</summary>
public sealed record ParameterTensor
{
    public ParameterTensor(string name, IReadOnlyList<int> shape, int offset)
    {
        Name = name;
        Shape = [.. shape];
        Offset = offset;
        Length = checked(Shape.Aggregate(1, (a, b) => a * b));
    }

    public string Name { get; }
    public IReadOnlyList<int> Shape { get; }
    public int Offset { get; }
    public int Length { get; }
}

public sealed class ParameterSet<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Dictionary<string, ParameterTensor> _byName;

    /// <summary>Lays out <paramref name="spec"/>'s tensors back to back; the spec must be valid.</summary>
    internal ParameterSet(ModelSpec spec)
    {
        var tensors = new List<ParameterTensor>();
        int next = 0;
        foreach (var (name, shape) in spec.ParameterLayout())
        {
            tensors.Add(new ParameterTensor(name, shape, next));
            next = checked(next + tensors[^1].Length);
        }
        Tensors = tensors;
        _byName = tensors.ToDictionary(t => t.Name);
        Values = new T[next];
        Gradients = new T[next];
    }

    /// <summary>The tensors in state_dict order, laid out back to back.</summary>
    public IReadOnlyList<ParameterTensor> Tensors { get; }
    public T[] Values { get; }
    public T[] Gradients { get; }

    /// <summary>
    /// The values no longer change: their network serves a Predictor, whose layers packed them
    /// once (LstmNetwork.MarkWeightsFinal). Training, initializing and importing refuse them.
    /// </summary>
    public bool Final { get; internal set; }

    internal void EnsureNotFinal()
    {
        if (Final) throw new InvalidOperationException("These weights are final: their network serves a Predictor. Use a network of its own (a copy of its parameters) to change them.");
    }
    public int Count => Values.Length;

    public ParameterTensor this[string name] =>
        _byName.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"No parameter named '{name}'.");

    public bool Contains(string name) => _byName.ContainsKey(name);

    public Span<T> ValuesOf(string name) { var t = this[name]; return Values.AsSpan(t.Offset, t.Length); }
    public Span<T> GradientsOf(string name) { var t = this[name]; return Gradients.AsSpan(t.Offset, t.Length); }
}
