// Running a trained network for callers: batched prediction over many sequences, multi-step
// forecasts that feed each output back as the next input, and stateful step-by-step sessions.
// Inputs and outputs are in the caller's units; the stored normalizer is applied in and out.
// A predictor reuses the network's buffers, so one instance serves one caller at a time, and it
// takes the network's weights as final: they are packed for the kernel once, and the network
// cannot be trained afterwards.
using System.Numerics;
using LstmService.Engine.Data;
using LstmService.Engine.Layers;

namespace LstmService.Engine.Inference;

public sealed class Predictor<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly ModelSpec _spec;
    private readonly LstmNetwork<T> _network;
    private readonly Normalizer? _normalizer;

    public Predictor(LstmNetwork<T> network, Normalizer? normalizer = null)
    {
        if (normalizer is not null && (normalizer.InputMean.Count != network.Spec.InputSize
            || (normalizer.TargetMean is { } t && (t.Count != network.Spec.OutputSize || network.Spec.Loss != LossKind.MeanSquaredError))))
            throw new ArgumentException("The normalizer's column counts do not match the model's inputs and outputs.", nameof(normalizer));
        (_spec, _network, _normalizer) = (network.Spec, network, normalizer);
        network.MarkWeightsFinal();
    }

    /// <summary>
    /// Outputs for each sequence: one row per step ([T][O]) for all-step models, one row ([1][O])
    /// for last-step models; class probabilities (softmax) for cross-entropy models.
    /// </summary>
    public double[][][] Predict(IReadOnlyList<double[][]> sequences, int batchSize = 256)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var wrapped = sequences.Select(inputs => new Sequence(inputs)).ToList();
        Sequence.Validate(wrapped, _spec, requireTargets: false);
        if (_normalizer is not null) wrapped = wrapped.Select(s => new Sequence(_normalizer.NormalizeInputs(s.Inputs))).ToList();
        var results = new double[sequences.Count][][];
        var indices = Enumerable.Range(0, wrapped.Count).ToArray();
        for (int start = 0; start < indices.Length; start += batchSize)
        {
            var chunk = indices.AsSpan(start, Math.Min(batchSize, indices.Length - start));
            var batch = SequenceBatch<T>.Create(wrapped, chunk, _spec, withTargets: false);
            _network.Forward(batch, keepForBackward: false);
            for (int b = 0; b < chunk.Length; b++)
                results[chunk[b]] = ReadOutputs(batch, b);
        }
        return results;
    }

    /// <summary>
    /// Runs <paramref name="history"/> [T][X] and then <paramref name="horizon"/> more steps, each
    /// fed the previous output: the model's inputs and outputs must be the same series (X = O).
    /// </summary>
    public double[][] Forecast(double[][] history, int horizon)
    {
        if (_spec.Loss != LossKind.MeanSquaredError || _spec.OutputSize != _spec.InputSize)
            throw new InvalidOperationException($"Forecasting feeds outputs back as inputs, so it needs a regression model whose output size equals its input size ({_spec.OutputSize} ≠ {_spec.InputSize}).");
        if (horizon is < 1 or > 100_000) throw new ArgumentOutOfRangeException(nameof(horizon), horizon, "The horizon must be between 1 and 100000.");
        if (history is not { Length: > 0 }) throw new ArgumentException("The history needs at least one step.", nameof(history));
        var session = StartSession();
        double[] next = [];
        foreach (var row in history) next = session.Step(row);
        var forecast = new double[horizon][];
        for (int k = 0; k < horizon; k++)
        {
            forecast[k] = next;
            if (k + 1 < horizon) next = session.Step(next);
        }
        return forecast;
    }

    /// <summary>A step-by-step session that carries (h, c) from one call to the next.</summary>
    public PredictionSession StartSession() => new(this);

    public sealed class PredictionSession
    {
        private readonly Predictor<T> _owner;
        private T[][]? _h, _c;

        internal PredictionSession(Predictor<T> owner) => _owner = owner;

        /// <summary>Feeds one input vector [X] and returns the output after it [O].</summary>
        public double[] Step(double[] input)
        {
            var spec = _owner._spec;
            var inputs = new[] { input };
            Sequence.Validate([new Sequence(inputs)], spec, requireTargets: false);
            if (_owner._normalizer is { } n) inputs = n.NormalizeInputs(inputs);
            var batch = SequenceBatch<T>.Create([new Sequence(inputs)], [0], spec, withTargets: false);
            _owner._network.Forward(batch, initialH: _h, initialC: _c, keepForBackward: false);
            (_h, _c) = _owner._network.FinalState();
            return _owner.ReadOutputs(batch, 0)[^1];
        }
    }

    // Sequence b's outputs from the last Forward, in the caller's units.
    private double[][] ReadOutputs(SequenceBatch<T> batch, int b)
    {
        int o = _spec.OutputSize;
        var outputs = _network.Outputs;
        bool all = _spec.Steps == OutputSteps.All;
        var rows = new double[all ? batch.Lengths[b] : 1][];
        for (int t = 0; t < rows.Length; t++)
        {
            int row = all ? t * batch.Batch + b : b;
            rows[t] = new double[o];
            for (int j = 0; j < o; j++) rows[t][j] = double.CreateChecked(outputs[row * o + j]);
            if (_spec.Loss == LossKind.CrossEntropy) Softmax(rows[t]);
        }
        return _spec.Loss == LossKind.MeanSquaredError && _normalizer is not null ? _normalizer.DenormalizeOutputs(rows) : rows;
    }

    private static void Softmax(double[] z)
    {
        double max = z.Max(), sum = 0;
        for (int j = 0; j < z.Length; j++) sum += z[j] = Math.Exp(z[j] - max);
        for (int j = 0; j < z.Length; j++) z[j] /= sum;
    }
}
