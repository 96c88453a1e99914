// The network's outputs, read from the top layer's hidden states: a dense layer (PyTorch's
// nn.Linear) or the first k hidden units themselves (the seed example's readout), on every step
// or on each sequence's last real step.
using System.Numerics;
using System.Numerics.Tensors;
using LstmService.Engine.Data;
using LstmService.Engine.Kernels;

namespace LstmService.Engine.Layers;

internal sealed class OutputHead<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ParameterSet<T> _parameters;
    private readonly ModelSpec _spec;
    private readonly int _weight = -1, _bias = -1; // offsets; −1 for the hidden-unit readout
    private T[] _selected = [];                   // last-step rows gathered: [B, H]
    private T[] _dSelected = [];
    private T[] _outputs = [];
    private T[] _source = [];                     // the rows Forward read: [T·B, H] or [B, H]
    private SequenceBatch<T>? _batch;

    private readonly ComputeContext _compute;

    public OutputHead(ParameterSet<T> parameters, ModelSpec spec, ComputeContext compute)
    {
        _compute = compute;
        _parameters = parameters;
        _spec = spec;
        if (spec.Output == OutputKind.Dense)
        {
            _weight = parameters["head.weight"].Offset;
            _bias = parameters["head.bias"].Offset;
        }
    }

    /// <summary>Outputs of the last Forward: [T·B, O] time-major for all steps, [B, O] for the last.</summary>
    public T[] Outputs => _outputs;
    public int Rows { get; private set; }

    public void Forward(T[] topHidden, SequenceBatch<T> batch)
    {
        int h = _spec.HiddenSize, o = _spec.OutputSize;
        _batch = batch;
        if (_spec.Steps == OutputSteps.All)
        {
            Rows = batch.Steps * batch.Batch;
            _source = topHidden;
        }
        else
        {
            Rows = batch.Batch;
            Buffers.Grow(ref _selected, Rows * h);
            for (int b = 0; b < batch.Batch; b++)
                topHidden.AsSpan(LastRow(batch, b) * h, h).CopyTo(_selected.AsSpan(b * h, h));
            _source = _selected;
        }
        Buffers.Grow(ref _outputs, Rows * o);

        if (_spec.Output == OutputKind.Hidden)
        {
            for (int r = 0; r < Rows; r++)
                _source.AsSpan(r * h, o).CopyTo(_outputs.AsSpan(r * o, o));
            return;
        }
        var values = _parameters.Values;
        // y[rows, O] = source[rows, H] · Wᵀ + b
        MatMul.Multiply(_compute, MatrixView<T>.RowMajor(_source, h), MatrixView<T>.RowMajor(values, h, _weight).Transposed,
            MatrixView<T>.RowMajor(_outputs, o), Rows, o, h, accumulate: false);
        var bias = values.AsSpan(_bias, o);
        for (int r = 0; r < Rows; r++)
            TensorPrimitives.Add(_outputs.AsSpan(r * o, o), bias, _outputs.AsSpan(r * o, o));
    }

    /// <summary>From dOutputs (shaped like <see cref="Outputs"/>) adds the head's weight gradients and writes dTopHidden [T, B, H] (overwrites).</summary>
    public void Backward(T[] dOutputs, T[] dTopHidden)
    {
        var batch = _batch!;
        int h = _spec.HiddenSize, o = _spec.OutputSize;
        bool all = _spec.Steps == OutputSteps.All;
        // Where the gradient of the read rows goes: straight into dTopHidden for all steps,
        // else into a [B, H] buffer scattered to each sequence's last step below.
        T[] dSource = all ? dTopHidden : Buffers.Grow(ref _dSelected, Rows * h);
        dTopHidden.AsSpan(0, batch.Steps * batch.Batch * h).Clear();

        if (_spec.Output == OutputKind.Hidden)
        {
            dSource.AsSpan(0, Rows * h).Clear();
            for (int r = 0; r < Rows; r++)
                dOutputs.AsSpan(r * o, o).CopyTo(dSource.AsSpan(r * h, o));
        }
        else
        {
            var grads = _parameters.Gradients;
            // dW[O, H] += dYᵀ [O, rows] · source [rows, H];  db += Σ_rows dY;  dSource = dY · W
            MatMul.Multiply(_compute, MatrixView<T>.RowMajor(dOutputs, o).Transposed, MatrixView<T>.RowMajor(_source, h),
                MatrixView<T>.RowMajor(grads, h, _weight), o, h, Rows, accumulate: true);
            var db = grads.AsSpan(_bias, o);
            for (int r = 0; r < Rows; r++) TensorPrimitives.Add(db, dOutputs.AsSpan(r * o, o), db);
            MatMul.Multiply(_compute, MatrixView<T>.RowMajor(dOutputs, o), MatrixView<T>.RowMajor(_parameters.Values, h, _weight),
                MatrixView<T>.RowMajor(dSource, h), Rows, h, o, accumulate: false);
        }
        if (!all)
            for (int b = 0; b < batch.Batch; b++)
                _dSelected.AsSpan(b * h, h).CopyTo(dTopHidden.AsSpan(LastRow(batch, b) * h, h));
    }

    /// <summary>Row of [T·B] holding sequence b's last real step.</summary>
    public static int LastRow(SequenceBatch<T> batch, int b) => (batch.Lengths[b] - 1) * batch.Batch + b;
}
