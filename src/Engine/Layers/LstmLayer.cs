// One LSTM layer over a whole padded batch: Forward keeps what Backward needs (activated gates,
// cell states, tanh of them; a forward for prediction may keep less), Backward runs BPTT and adds
// into the weight gradients.
// Buffers are time-major, [T, B, ·], so step t of the batch is one contiguous [B, ·] matrix:
// the input projection of every step is one product before the loop and the recurrent part one
// product per step (or, when the loop is split, both one call per step and block of batch rows),
// and the weight gradients one product each after the loop.
using System.Diagnostics;
using System.Numerics;
using System.Numerics.Tensors;
using LstmService.Engine.Kernels;

namespace LstmService.Engine.Layers;

internal sealed class LstmLayer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ParameterSet<T> _parameters;
    private readonly int _wIh, _wHh, _bIh, _bHh;   // offsets of this layer's tensors in the flat buffer
    private readonly CellKind _cell;

    // The weights packed for the kernel: W_ihᵀ [In, 4H] and W_hhᵀ [H, 4H] at every Forward (once
    // in all, with the bias sum, once the weights are final), W_hh [4H, H] at every Backward,
    // each once for all the products of its pass.
    private readonly PackedMatrix<T> _wIhT = new(), _wHhT = new(), _wHh4 = new();
    private readonly T[] _bias, _dBias;
    private bool _weightsFinal, _packedFinal;       // the weights no longer change; they were packed since

    private int _capacity;                         // T·B the buffers below hold
    private T[] _gates = [], _cells = [], _hidden = [], _tanhCells = [], _dGates = [];
    private T[] _rowBuffers = [];                   // two [B, H] rows: (h0, c0) in Forward, (dh_next, dc_next) in Backward
    private T[] _dBiasRows = [];                    // [B, 4H]: each batch row's dGates summed over the steps, in Backward
    private int _steps, _batch;
    private bool _hasInitial;                       // Forward started from (h0, c0)
    private bool _keepsGates;                       // Forward kept every step's gates, for Backward
    private T[] _input = [];                        // [T, B, In] as passed to Forward (not owned)
    private T[] _dHidden = [];                      // Backward's dHidden (not owned)
    private T[] _dWihT = [];                        // dW_ihᵀ [In, 4H] when In is narrower than a panel
    private const int TransposedGradientRows = 1024; // rows of dGates one block of that product packs
    private CellGradient _variant;
    private readonly Recurrence _recurrence;

    private readonly ComputeContext _compute;

    public LstmLayer(ParameterSet<T> parameters, int index, int inputSize, int hiddenSize, CellKind cell, ComputeContext compute)
    {
        _parameters = parameters;
        _compute = compute;
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        _cell = cell;
        _wIh = parameters[$"lstm.weight_ih_l{index}"].Offset;
        _wHh = parameters[$"lstm.weight_hh_l{index}"].Offset;
        _bIh = parameters[$"lstm.bias_ih_l{index}"].Offset;
        _bHh = parameters[$"lstm.bias_hh_l{index}"].Offset;
        _bias = new T[4 * hiddenSize];
        _dBias = new T[4 * hiddenSize];
        _recurrence = new Recurrence(this);
    }

    public int InputSize { get; }
    public int HiddenSize { get; }

    /// <summary>
    /// From now on the weights do not change (the network serves a Predictor): the next Forward
    /// packs them and the bias sum for the last time, and later ones reuse that.
    /// </summary>
    public void MarkWeightsFinal() => _weightsFinal = true;

    /// <summary>h for every step: [T, B, H]. Valid until the next Forward.</summary>
    public T[] Hidden => _hidden;
    /// <summary>c (the seed cell's s) for every step: [T, B, H].</summary>
    public T[] Cells => _cells;

    private void EnsureCapacity(int steps, int batch)
    {
        int rows = steps * batch, h = HiddenSize;
        if (rows > _capacity)
        {
            _gates = new T[rows * 4 * h];
            _dGates = new T[rows * 4 * h];
            _cells = new T[rows * h];
            _hidden = new T[rows * h];
            _tanhCells = _cell == CellKind.Standard ? new T[rows * h] : [];
            _capacity = rows;
        }
        if (_rowBuffers.Length < 2 * batch * h) _rowBuffers = new T[2 * batch * h];
        if (_dBiasRows.Length < batch * 4 * h) _dBiasRows = new T[batch * 4 * h];
        _steps = steps;
        _batch = batch;
    }

    private Span<T> RowBuffer(int which) => _rowBuffers.AsSpan(which * _batch * HiddenSize, _batch * HiddenSize);

    /// <summary>
    /// Runs the layer over input [T, B, In] from zero initial state, or from (h0, c0) [B, H] when given.
    /// Without <paramref name="keepForBackward"/> (inference) the activated gates of a step may be
    /// overwritten by the next, and <see cref="Backward"/> refuses to run.
    /// </summary>
    public void Forward(T[] input, int steps, int batch, ReadOnlySpan<T> h0 = default, ReadOnlySpan<T> c0 = default, bool keepForBackward = true)
    {
        EnsureCapacity(steps, batch);
        _input = input;
        _keepsGates = keepForBackward;
        int h = HiddenSize, g4 = 4 * h, x = InputSize;
        if (!_packedFinal)
        {
            var values = _parameters.Values;
            _wIhT.Pack(MatrixView<T>.RowMajor(values, x, _wIh).Transposed, x, g4);
            _wHhT.Pack(MatrixView<T>.RowMajor(values, h, _wHh).Transposed, h, g4);
            TensorPrimitives.Add(values.AsSpan(_bIh, g4), values.AsSpan(_bHh, g4), _bias);
            _packedFinal = _weightsFinal;
        }

        _hasInitial = !h0.IsEmpty;
        if (_hasInitial)
        {
            // Step 0's recurrent product reads h0 as a matrix, and its rows read c0: into the row buffers.
            h0.CopyTo(RowBuffer(0));
            c0.CopyTo(RowBuffer(1));
        }
        _recurrence.Run(backward: false);
    }

    // gates = input · W_ihᵀ ([T·B, In] · [In, 4H]) for every step at once; the biases are added in the time loop.
    private void ProjectInput() =>
        MatMul.Multiply(_compute, MatrixView<T>.RowMajor(_input, InputSize), _wIhT, MatrixView<T>.RowMajor(_gates, 4 * HiddenSize), _steps * _batch, accumulate: false);

    // The time loop of Forward for batch rows [from, to): each sequence's recurrence reads only
    // its own rows, so a block of rows runs all its steps without waiting for the others.
    // Inside a split the pool is held, so a step's products run on this part's thread; unsplit
    // (one row, a recurrence too small to split, or the pool busy) they may still be split by columns.
    // inputPerStep: each step's gates are computed here, input part, biases and recurrent part in
    // one kernel call per block of the gates (MatMul.MultiplyStep, which keeps each block of C in
    // registers where three passes stored and reloaded it), just before the step's rows are read;
    // otherwise every step's input part was projected before the loop. With the input per step
    // and nothing kept for Backward, the steps take turns in the gate rows of steps 0 and 1,
    // which stay in cache, instead of streaming through T·B·4H of memory (one shared set of rows
    // measured slower, four no faster).
    // From firstStep on; a block that may hand rows to an idle thread checks after each step.
    private void ForwardSteps(int from, int to, bool inputPerStep, int firstStep = 0, RowHandoff? handoff = null)
    {
        int batch = _batch, h = HiddenSize, g4 = 4 * h;
        bool reuseGates = inputPerStep && !_keepsGates;
        for (int t = firstStep; t < _steps; t++)
        {
            int gateStep = reuseGates ? t % 2 : t, rows = to - from;
            var gates = MatrixView<T>.RowMajor(_gates, g4, (gateStep * batch + from) * g4);
            // h[t-1]: before step 0, h0 if given, else zero (no product)
            MatrixView<T>? hPrev = t > 0 ? MatrixView<T>.RowMajor(_hidden, h, ((t - 1) * batch + from) * h)
                : _hasInitial ? MatrixView<T>.RowMajor(_rowBuffers, h, from * h) : null;
            if (inputPerStep)
            {
                // gates[t] = input[t] · W_ihᵀ + (b_ih + b_hh) + h[t-1] · W_hhᵀ, block by block of the gates
                var input = MatrixView<T>.RowMajor(_input, InputSize, (t * batch + from) * InputSize);
                MatMul.MultiplyStep(_compute, input, _wIhT, _bias, hPrev, _wHhT, gates, rows);
            }
            else
            {
                CellMath<T>.AddToRows(_gates.AsSpan(gates.Offset, rows * g4), _bias);     // + (b_ih + b_hh)
                // gates[t] += h[t-1] · W_hhᵀ   ([rows, H] · [H, 4H])
                if (hPrev is { } previous) MatMul.Multiply(_compute, previous, _wHhT, gates, rows, accumulate: true);
            }
            ForwardRows(t, gateStep, from, to);
            if (handoff is not null) to = handoff.Offer(from, to, t + 1, _steps - t - 1);
        }
    }

    // Rows [from, to) of step t, whose gates are in the rows of gateStep: the gates' activations, c, and h.
    private void ForwardRows(int t, int gateStep, int from, int to)
    {
        int batch = _batch, h = HiddenSize, g4 = 4 * h;
        bool standard = _cell == CellKind.Standard;
        for (int b = from; b < to; b++)
        {
            int row = t * batch + b;
            var gate = _gates.AsSpan((gateStep * batch + b) * g4, g4);
            var c = _cells.AsSpan(row * h, h);
            ReadOnlySpan<T> cPrev = t > 0 ? _cells.AsSpan((row - batch) * h, h) : _hasInitial ? RowBuffer(1).Slice(b * h, h) : default;
            // c = f·c₋₁ + i·g, h = o·tanh(c) or o·s; for Backward, the activated gates and tanh(c) too
            CellMath<T>.ForwardRow(gate, cPrev, c, standard ? _tanhCells.AsSpan(row * h, h) : default, _hidden.AsSpan(row * h, h), standard, _keepsGates);
        }
    }

    /// <summary>
    /// Backpropagation through time from dHidden [T, B, H] (the loss's gradient at each h_t from
    /// above; read only). Adds into this layer's weight gradients and, when dInput is given,
    /// writes the gradient of the input [T, B, In] (overwrites).
    /// </summary>
    public void Backward(T[] dHidden, T[]? dInput, CellGradient variant)
    {
        if (!_keepsGates) throw new InvalidOperationException("Backward needs a Forward that kept its activations (keepForBackward).");
        int steps = _steps, batch = _batch, h = HiddenSize, g4 = 4 * h, x = InputSize;
        var values = _parameters.Values;
        var grads = _parameters.Gradients;
        RowBuffer(0).Clear(); RowBuffer(1).Clear();              // dh_next, dc_next
        _dBiasRows.AsSpan(0, batch * g4).Clear();
        _dHidden = dHidden;
        _variant = variant;
        if (steps > 1) _wHh4.Pack(MatrixView<T>.RowMajor(values, h, _wHh), g4, h);

        _recurrence.Run(backward: true);

        int rows = steps * batch;
        var dGates = MatrixView<T>.RowMajor(_dGates, g4);
        // dW_ih[4H, In] += dGatesᵀ [4H, T·B] · input [T·B, In]
        if (x >= MatMul.PanelWidth<T>())
            MatMul.Multiply(_compute, dGates.Transposed, MatrixView<T>.RowMajor(_input, x), MatrixView<T>.RowMajor(grads, x, _wIh), g4, x, rows, accumulate: true);
        else
        {
            // Fewer inputs than a panel's columns (B2: 8 of 32) would make most of that product
            // padding: run it transposed, dW_ihᵀ [In, 4H] += inputᵀ · dGates. It starts from the
            // gradient as it stands and runs over the rows in order, in blocks so that each
            // thread packs only a block of dGates: every element is the same FMA chain as the
            // direct product's, so the same bits.
            if (_dWihT.Length < x * g4) _dWihT = new T[x * g4];
            for (int j = 0; j < g4; j++)
                for (int i = 0; i < x; i++) _dWihT[i * g4 + j] = grads[_wIh + j * x + i];
            for (int first = 0; first < rows; first += TransposedGradientRows)
            {
                int count = Math.Min(TransposedGradientRows, rows - first);
                MatMul.Multiply(_compute, MatrixView<T>.RowMajor(_input, x, first * x).Transposed, MatrixView<T>.RowMajor(_dGates, g4, first * g4),
                    MatrixView<T>.RowMajor(_dWihT, g4), x, g4, count, accumulate: true);
            }
            for (int j = 0; j < g4; j++)
                for (int i = 0; i < x; i++) grads[_wIh + j * x + i] = _dWihT[i * g4 + j];
        }
        // dW_hh[4H, H] += dGates[1..]ᵀ · h[0..T−2]  (step 0 saw a zero state)
        if (steps > 1)
            MatMul.Multiply(_compute, MatrixView<T>.RowMajor(_dGates, g4, batch * g4).Transposed, MatrixView<T>.RowMajor(_hidden, h),
                MatrixView<T>.RowMajor(grads, h, _wHh), g4, h, rows - batch, accumulate: true);
        // Both biases enter the gates the same way, so both get the column sums of dGates: each
        // batch row's sum over the steps, taken in the time loop while its dGates were in cache,
        // then those rows in order. A serial pass over all T·B rows after the loop had the worker
        // wait for it. Each row's sum is its own thread's, in step order, so the bits do not
        // depend on the split.
        _dBias.AsSpan().Clear();
        for (int b = 0; b < batch; b++) TensorPrimitives.Add(_dBias, _dBiasRows.AsSpan(b * g4, g4), _dBias);
        TensorPrimitives.Add(grads.AsSpan(_bIh, g4), _dBias, grads.AsSpan(_bIh, g4));
        TensorPrimitives.Add(grads.AsSpan(_bHh, g4), _dBias, grads.AsSpan(_bHh, g4));

        // dInput[T·B, In] = dGates [T·B, 4H] · W_ih [4H, In]
        if (dInput is not null)
            MatMul.Multiply(_compute, dGates, MatrixView<T>.RowMajor(values, x, _wIh), MatrixView<T>.RowMajor(dInput, x), rows, x, g4, accumulate: false);
    }

    // The time loop of Backward for batch rows [from, to), from the last step to the first.
    // From firstStep (null: the last) down; a block that may hand rows to an idle thread checks after each step.
    private void BackwardSteps(int from, int to, int? firstStep = null, RowHandoff? handoff = null)
    {
        int batch = _batch, h = HiddenSize, g4 = 4 * h;
        for (int t = firstStep ?? _steps - 1; t >= 0; t--)
        {
            BackwardRows(t, from, to);
            if (t == 0) break;
            // dh_next[rows, H] = dGates[t] [rows, 4H] · W_hh [4H, H]
            var dGates = MatrixView<T>.RowMajor(_dGates, g4, (t * batch + from) * g4);
            var dhNext = MatrixView<T>.RowMajor(_rowBuffers, h, from * h);
            MatMul.Multiply(_compute, dGates, _wHh4, dhNext, to - from, accumulate: false);
            if (handoff is not null) to = handoff.Offer(from, to, t - 1, t);
        }
    }

    // Rows [from, to) of step t of BPTT: dGates of the step, and dc_next for step t − 1.
    private void BackwardRows(int t, int from, int to)
    {
        int batch = _batch, h = HiddenSize, g4 = 4 * h;
        bool standard = _cell == CellKind.Standard, full = _variant == CellGradient.Full;
        for (int b = from; b < to; b++)
        {
            int row = t * batch + b;
            CellMath<T>.BackwardRow(_dHidden.AsSpan(row * h, h), RowBuffer(0).Slice(b * h, h), _gates.AsSpan(row * g4, g4),
                standard ? _tanhCells.AsSpan(row * h, h) : _cells.AsSpan(row * h, h), standard,
                t > 0 ? _cells.AsSpan((row - batch) * h, h) : default, full, RowBuffer(1).Slice(b * h, h), _dGates.AsSpan(row * g4, g4), _dBiasRows.AsSpan(b * g4, g4));
        }
    }

    // The time loop split by batch rows over the matrix kernel's threads, one hand-off per pass
    // instead of two per step, when the recurrence is large enough to pay for it. A block then
    // computes each step's input part with its recurrent part, so the step's gates are written
    // just before they are read, rather than all of them before the loop (with one row that
    // measured slower, so the unsplit loop keeps the projection before it). Otherwise
    // (one row, too little work, or the pool busy) the loop runs on the caller, after one input
    // projection for every step, and its per-step products may still be split by columns. Every
    // element is computed the same way whichever block holds its row, so the split changes no bits.
    // When one block finishes early, the other hands it half of its rows for the remaining steps
    // (RowHandoff).
    private sealed class Recurrence(LstmLayer<T> layer) : PoolWork
    {
        private readonly RowHandoff _handoff = new();
        private int _rowsPer;
        private bool _backward;

        public void Run(bool backward)
        {
            int batch = layer._batch, h = layer.HiddenSize;
            var pool = layer._compute.Pool;
            int parts = Math.Min(layer._compute.ActiveThreads, batch);
            long work = (long)layer._steps * batch * 4 * h * h;
            if (parts > 1 && work >= MatMul.ParallelThreshold && pool.TryAcquire())
            {
                try
                {
                    // Even blocks: rounding them up to whole 8-row tiles (20 rows as 16 + 4, not
                    // 10 + 10) never shortens the longer block's products and unbalances the gate math.
                    (_backward, _rowsPer) = (backward, (batch + parts - 1) / parts);
                    _handoff.Reset(parts);
                    pool.Run(this, parts);
                    return;
                }
                finally { pool.Release(); }
            }
            if (backward) layer.BackwardSteps(0, batch);
            else
            {
                layer.ProjectInput();
                layer.ForwardSteps(0, batch, inputPerStep: false);
            }
        }

        // A block of rows from the first step, then the rows another block hands over, if any.
        public override void Run(int part)
        {
            _handoff.Started();
            int from = part * _rowsPer, to = Math.Min(layer._batch, from + _rowsPer);
            try
            {
                if (from < to && _backward) layer.BackwardSteps(from, to, handoff: _handoff);
                else if (from < to) layer.ForwardSteps(from, to, inputPerStep: true, handoff: _handoff);
            }
            catch
            {
                _handoff.Failed();   // or another thread would wait for this block forever
                throw;
            }
            long waitFrom = Stopwatch.GetTimestamp();
            var handedOver = _handoff.Finished();
            layer._compute.Pool.AddWait(Stopwatch.GetTimestamp() - waitFrom);
            if (handedOver is not { } given) return;
            if (_backward) layer.BackwardSteps(given.From, given.To, given.Step);
            else layer.ForwardSteps(given.From, given.To, inputPerStep: true, given.Step);
        }
    }
}
