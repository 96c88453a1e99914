// A stacked LSTM with its output head and loss: the parameter layout (PyTorch's state_dict names
// and shapes), initialization, and the forward and backward pass over a padded batch.
using System.Numerics;
using System.Numerics.Tensors;
using LstmService.Engine.Data;
using LstmService.Engine.Training;

namespace LstmService.Engine.Layers;

public sealed class LstmNetwork<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly LstmLayer<T>[] _layers;
    private readonly OutputHead<T> _head;
    private readonly T[][] _dropMasks;   // per layer boundary l (input of layer l ≥ 1): [T, B, H] of 0 or 1/(1−p)
    private readonly T[][] _dropped;     // that boundary's input after dropout
    private T[] _dOutputs = [], _dHidden = [], _dInput = [];
    private SequenceBatch<T>? _batch;
    private bool _dropoutApplied;
    private bool _fromInitialState;
    private bool _keptForBackward;

    /// <summary>A network of <paramref name="spec"/>'s shape (zero weights until initialized or loaded), computing on <paramref name="compute"/> (default: <see cref="ComputeContext.Shared"/>).</summary>
    public LstmNetwork(ModelSpec spec, ComputeContext? compute = null)
    {
        spec.Validate();
        Spec = spec;
        Compute = compute ?? ComputeContext.Shared;
        int h = spec.HiddenSize;
        Parameters = new ParameterSet<T>(spec);
        _layers = new LstmLayer<T>[spec.Layers];
        for (int l = 0; l < spec.Layers; l++)
            _layers[l] = new LstmLayer<T>(Parameters, l, l == 0 ? spec.InputSize : h, h, spec.Cell, Compute);
        _head = new OutputHead<T>(Parameters, spec, Compute);
        _dropMasks = new T[spec.Layers][];
        _dropped = new T[spec.Layers][];
        for (int l = 0; l < spec.Layers; l++) { _dropMasks[l] = []; _dropped[l] = []; }
    }

    public ModelSpec Spec { get; }
    public ParameterSet<T> Parameters { get; }
    /// <summary>The threads this network computes on.</summary>
    public ComputeContext Compute { get; }

    internal IReadOnlyList<LstmLayer<T>> Layers => _layers;

    /// <summary>True once <see cref="MarkWeightsFinal"/> ran: the network predicts and is not trained.</summary>
    public bool WeightsFinal => Parameters.Final;

    /// <summary>
    /// Declares that <see cref="Parameters"/>' values will not change again (a Predictor serves
    /// the network): forwards then pack the LSTM weights for the matrix kernel once, not every
    /// time. Backward, Initialize, a Trainer and
    /// ParameterTensors.Import refuse such a network; a write to its values by hand would not
    /// reach the LSTM layers.
    /// </summary>
    internal void MarkWeightsFinal()
    {
        Parameters.Final = true;
        foreach (var layer in _layers) layer.MarkWeightsFinal();
    }

    internal OutputHead<T> Head => _head;

    /// <summary>
    /// PyTorch's initialization: every LSTM weight and bias uniform in ±1/√H, nn.Linear's weight
    /// and bias uniform in ±1/√H (its fan-in). With <paramref name="forgetGateBiasOne"/> the
    /// forget gate starts open: bias_ih's forget rows are 1 and bias_hh's 0, so their sum is 1.
    /// </summary>
    public void Initialize(Rng rng, bool forgetGateBiasOne = false)
    {
        Parameters.EnsureNotFinal();
        double bound = 1 / Math.Sqrt(Spec.HiddenSize);
        var values = Parameters.Values;
        for (int i = 0; i < values.Length; i++) values[i] = T.CreateChecked(rng.NextUniform(-bound, bound));
        if (!forgetGateBiasOne) return;
        int h = Spec.HiddenSize;
        for (int l = 0; l < Spec.Layers; l++)
        {
            Parameters.ValuesOf($"lstm.bias_ih_l{l}").Slice(h, h).Fill(T.One);
            Parameters.ValuesOf($"lstm.bias_hh_l{l}").Slice(h, h).Clear();
        }
    }

    /// <summary>Outputs of the last Forward: [T·B, O] time-major for all steps, [B, O] for the last step.</summary>
    internal ReadOnlySpan<T> Outputs => _head.Outputs.AsSpan(0, _head.Rows * Spec.OutputSize);

    /// <summary>
    /// Runs the batch forward and returns its loss (NaN when the batch has no targets). With
    /// <paramref name="training"/> and dropout set, drops hidden units between layers using
    /// <paramref name="rng"/>. An initial state per layer (h, c: [B, H] each) may be given.
    /// Without <paramref name="keepForBackward"/> (prediction, evaluation) the layers keep only what
    /// the outputs and <see cref="FinalState"/> need, and <see cref="Backward"/> refuses to run.
    /// </summary>
    internal double Forward(SequenceBatch<T> batch, bool training = false, Rng? rng = null, T[][]? initialH = null, T[][]? initialC = null,
        bool keepForBackward = true)
    {
        _batch = batch;
        _keptForBackward = keepForBackward;
        _fromInitialState = initialH is not null || initialC is not null;
        int rows = batch.Steps * batch.Batch, h = Spec.HiddenSize;
        _dropoutApplied = training && Spec.Dropout > 0 && Spec.Layers > 1;
        T[] input = batch.Inputs;
        for (int l = 0; l < _layers.Length; l++)
        {
            if (l > 0)
            {
                input = _layers[l - 1].Hidden;
                if (_dropoutApplied) input = Dropout(l, input, rows * h, rng ?? throw new ArgumentNullException(nameof(rng), "Dropout in training needs an RNG."));
            }
            _layers[l].Forward(input, batch.Steps, batch.Batch, initialH?[l] ?? default, initialC?[l] ?? default, keepForBackward);
        }
        _head.Forward(_layers[^1].Hidden, batch);

        if (batch.Targets is null && batch.Labels is null) return double.NaN;
        Buffers.Grow(ref _dOutputs, _head.Rows * Spec.OutputSize);
        return LossFunction.Evaluate(Spec, batch, Outputs, _head.Rows, _dOutputs);
    }

    /// <summary>
    /// Gradient of the last Forward's loss into <see cref="ParameterSet{T}.Gradients"/>, which
    /// are zeroed here first.
    /// </summary>
    internal void Backward(CellGradient variant = CellGradient.Full)
    {
        var batch = _batch ?? throw new InvalidOperationException("Backward needs a Forward with targets first.");
        // Training always starts from a zero state; a carried-in state is for inference only and
        // LstmLayer.Backward does not differentiate through it.
        if (_fromInitialState) throw new InvalidOperationException("Backward after a Forward from an initial state is not supported.");
        if (!_keptForBackward) throw new InvalidOperationException("Backward needs a Forward with keepForBackward.");
        Parameters.EnsureNotFinal();
        int rows = batch.Steps * batch.Batch, h = Spec.HiddenSize;
        Array.Clear(Parameters.Gradients);
        Buffers.Grow(ref _dHidden, rows * h);
        Buffers.Grow(ref _dInput, rows * h);
        _head.Backward(_dOutputs, _dHidden);
        for (int l = _layers.Length - 1; l >= 0; l--)
        {
            _layers[l].Backward(_dHidden, l > 0 ? _dInput : null, variant);
            if (l == 0) break;
            // The layer below's hidden states got their gradient through this layer's input only.
            if (_dropoutApplied) TensorPrimitives.Multiply(_dInput.AsSpan(0, rows * h), _dropMasks[l].AsSpan(0, rows * h), _dHidden.AsSpan(0, rows * h));
            else _dInput.AsSpan(0, rows * h).CopyTo(_dHidden);
        }
    }

    /// <summary>Each sequence's final (h, c) per layer, read at its own last step: [layer][B·H].</summary>
    internal (T[][] H, T[][] C) FinalState()
    {
        var batch = _batch!;
        int h = Spec.HiddenSize;
        var hs = new T[_layers.Length][];
        var cs = new T[_layers.Length][];
        for (int l = 0; l < _layers.Length; l++)
        {
            hs[l] = new T[batch.Batch * h];
            cs[l] = new T[batch.Batch * h];
            for (int b = 0; b < batch.Batch; b++)
            {
                int row = OutputHead<T>.LastRow(batch, b);
                _layers[l].Hidden.AsSpan(row * h, h).CopyTo(hs[l].AsSpan(b * h, h));
                _layers[l].Cells.AsSpan(row * h, h).CopyTo(cs[l].AsSpan(b * h, h));
            }
        }
        return (hs, cs);
    }

    // Inverted dropout: kept units are scaled by 1/(1−p) so inference needs no rescaling.
    private T[] Dropout(int boundary, T[] input, int length, Rng rng)
    {
        Buffers.Grow(ref _dropMasks[boundary], length);
        Buffers.Grow(ref _dropped[boundary], length);
        var mask = _dropMasks[boundary];
        T keep = T.CreateChecked(1 / (1 - Spec.Dropout));
        for (int i = 0; i < length; i++) mask[i] = rng.NextDouble() < Spec.Dropout ? T.Zero : keep;
        TensorPrimitives.Multiply(input.AsSpan(0, length), mask.AsSpan(0, length), _dropped[boundary].AsSpan(0, length));
        return _dropped[boundary];
    }
}
