// The training loop: shuffled mini-batches, an optimizer step per batch, a validation pass per
// epoch, early stopping, divergence detection, cancellation, progress callbacks and
// checkpoint/resume that continues bit for bit.
using System.Diagnostics;
using System.Numerics;
using LstmService.Engine.Data;
using LstmService.Engine.Layers;

namespace LstmService.Engine.Training;

public sealed class Trainer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly LstmNetwork<T> _network;
    private readonly TrainingOptions _options;
    private readonly IReadOnlyList<Sequence> _train;
    private readonly IReadOnlyList<Sequence> _validation;
    private readonly Optimizer<T> _optimizer;
    private readonly ParameterTensor[] _frozen;
    private Rng _rng;
    private int _epoch;                       // epochs completed
    private double _bestLoss = double.PositiveInfinity;
    private int _bestEpoch;
    private T[] _bestValues;
    private int _sinceBest;
    private readonly List<EpochProgress> _history = [];
    // Set while an epoch is under way: a run stopped mid-epoch (cancelled, diverged) leaves
    // weights that belong to no epoch boundary, so it can neither be checkpointed nor go on.
    private bool _midEpoch;
    private readonly string _fingerprint;
    // With KeepEpochStart: the state at the start of the current epoch, copied in place each epoch.
    private EpochStart? _epochStart;

    /// <summary>
    /// Trains <paramref name="network"/> in place on <paramref name="train"/>, validating on
    /// <paramref name="validation"/> after each epoch when given. The data are checked here:
    /// shapes, finite values, targets that fit the spec.
    /// </summary>
    public Trainer(LstmNetwork<T> network, TrainingOptions options, IReadOnlyList<Sequence> train, IReadOnlyList<Sequence>? validation = null)
    {
        options.Validate();
        network.Parameters.EnsureNotFinal();
        Sequence.Validate(train, network.Spec, requireTargets: true);
        if (validation is { Count: > 0 }) Sequence.Validate(validation, network.Spec, requireTargets: true);
        _frozen = (options.FrozenParameters ?? []).Select(name => network.Parameters.Contains(name)
            ? network.Parameters[name]
            : throw new ArgumentException($"FrozenParameters names '{name}', which is not a parameter of this model.", nameof(options))).ToArray();
        _network = network;
        _options = options;
        _train = train;
        _validation = validation ?? [];
        _optimizer = Optimizer<T>.Create(options.Optimizer, network.Parameters.Count, options.Momentum);
        _rng = new Rng(options.Seed);
        _bestValues = (T[])network.Parameters.Values.Clone();
        _fingerprint = $"{typeof(T).Name} {network.Parameters.Count} {train.Count} {validation?.Count ?? 0} {options with { Epochs = 0, EarlyStoppingPatience = null, FrozenParameters = [] }} {string.Join(",", options.FrozenParameters ?? [])}";
    }

    public Action<EpochProgress>? EpochCompleted { get; init; }

    /// <summary>
    /// Keeps a copy of the weights and optimizer state as each epoch starts (one more copy in
    /// memory, refreshed once per epoch), so a run stopped mid-epoch can still be checkpointed:
    /// <see cref="Checkpoint"/> then returns the state after the last completed epoch. A service
    /// stopping gracefully uses it to save the epochs it has finished.
    /// </summary>
    public bool KeepEpochStart { get; init; }
    public Action<BatchProgress>? BatchCompleted { get; init; }

    /// <summary>Epochs completed so far (including those of a restored checkpoint).</summary>
    public int CompletedEpochs => _epoch;

    /// <summary>
    /// Runs the remaining epochs. Throws <see cref="OperationCanceledException"/> between batches
    /// when <paramref name="cancellationToken"/> fires (the network then holds the last batch's
    /// weights), and <see cref="TrainingDivergedException"/> on NaN or infinity.
    /// </summary>
    public TrainingResult Run(CancellationToken cancellationToken = default)
    {
        if (_midEpoch) throw new InvalidOperationException("The last run stopped in the middle of an epoch; restore a checkpoint before running again.");
        var order = Enumerable.Range(0, _train.Count).ToArray();
        int batches = (order.Length + _options.BatchSize - 1) / _options.BatchSize;
        bool stoppedEarly = false;
        var values = _network.Parameters.Values;
        var gradients = _network.Parameters.Gradients;

        while (_epoch < _options.Epochs)
        {
            // Checked here too, so a run resumed from the checkpoint of the epoch that ran out of
            // patience stops where the uninterrupted run stopped.
            if (OutOfPatience)
            {
                stoppedEarly = true;
                break;
            }
            int epoch = _epoch + 1;
            if (KeepEpochStart) (_epochStart ??= new EpochStart(values.Length, _optimizer.State)).Capture(values, _optimizer, _rng);
            _midEpoch = true;
            var clock = Stopwatch.StartNew();
            // Each epoch shuffles from the identity, so the order depends on the RNG state alone and a resumed run draws the same batches.
            for (int i = 0; i < order.Length; i++) order[i] = i;
            if (_options.Shuffle) _rng.Shuffle(order.AsSpan());
            double lossSum = 0;
            for (int b = 0; b < batches; b++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var indices = order.AsSpan(b * _options.BatchSize, Math.Min(_options.BatchSize, order.Length - b * _options.BatchSize));
                var batch = SequenceBatch<T>.Create(_train, indices, _network.Spec, withTargets: true);
                double loss = _network.Forward(batch, training: true, _rng);
                if (!double.IsFinite(loss)) throw new TrainingDivergedException(epoch, $"the loss of batch {b + 1} is {loss}");
                _network.Backward(_options.CellGradient);
                foreach (var frozen in _frozen) gradients.AsSpan(frozen.Offset, frozen.Length).Clear();
                double norm = GradientClipping.ClipByGlobalNorm(gradients, _options.ClipNorm);
                if (!double.IsFinite(norm)) throw new TrainingDivergedException(epoch, $"the gradient of batch {b + 1} is not finite");
                _optimizer.Step(values, gradients, _options.LearningRate);
                lossSum += loss;
                BatchCompleted?.Invoke(new BatchProgress(epoch, b + 1, batches, loss));
            }
            foreach (var value in values)
                if (!T.IsFinite(value)) throw new TrainingDivergedException(epoch, "the weights overflowed");

            double trainLoss = lossSum / batches;
            double? validationLoss = _validation.Count > 0 ? Evaluate(_network, _validation, _options.BatchSize) : null;
            double monitored = validationLoss ?? trainLoss;
            if (monitored < _bestLoss)
            {
                (_bestLoss, _bestEpoch, _sinceBest) = (monitored, epoch, 0);
                values.CopyTo(_bestValues, 0);
            }
            else
            {
                _sinceBest++;
            }
            var progress = new EpochProgress(epoch, _options.Epochs, trainLoss, validationLoss, _options.LearningRate, clock.Elapsed.TotalSeconds);
            _history.Add(progress);
            _epoch = epoch;
            _midEpoch = false;
            EpochCompleted?.Invoke(progress);
        }
        stoppedEarly |= OutOfPatience;
        int weightsEpoch = _epoch;
        if (_options.EarlyStoppingPatience is not null)
        {
            _bestValues.CopyTo(values, 0);
            weightsEpoch = _bestEpoch;
        }
        return new TrainingResult(_history.ToList(), _bestEpoch, _bestLoss, stoppedEarly, weightsEpoch);
    }

    private bool OutOfPatience => _options.EarlyStoppingPatience is { } patience && _sinceBest >= patience;

    /// <summary>The mean loss over every valid target of <paramref name="data"/>, without dropout.</summary>
    public static double Evaluate(LstmNetwork<T> network, IReadOnlyList<Sequence> data, int batchSize = 256)
    {
        Sequence.Validate(data, network.Spec, requireTargets: true);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var order = Enumerable.Range(0, data.Count).ToArray();
        double weighted = 0;
        long positions = 0;
        for (int start = 0; start < order.Length; start += batchSize)
        {
            var batch = SequenceBatch<T>.Create(data, order.AsSpan(start, Math.Min(batchSize, order.Length - start)), network.Spec, withTargets: true);
            // Each batch's loss is a mean over its valid positions; weighting by their count gives the mean over all.
            long count = network.Spec.Steps == OutputSteps.All ? batch.Lengths.Sum() : batch.Batch;
            weighted += network.Forward(batch, keepForBackward: false) * count;
            positions += count;
        }
        return weighted / positions;
    }

    /// <summary>
    /// The state after the last completed epoch; call between epochs (in <see cref="EpochCompleted"/>,
    /// or before or after <see cref="Run"/>), or after a run stopped mid-epoch with <see cref="KeepEpochStart"/>.
    /// </summary>
    public TrainingCheckpoint<T> Checkpoint()
    {
        if (!_midEpoch) return Checkpoint(_network.Parameters.Values, _optimizer.Steps, _optimizer.State, _rng.State);
        // The epoch under way changed only the weights, the optimizer and the RNG; the best-epoch
        // bookkeeping and the history change at its end, so they still describe epoch _epoch.
        if (_epochStart is { } start) return Checkpoint(start.Values, start.OptimizerSteps, start.OptimizerState, start.RngState);
        throw new InvalidOperationException("A checkpoint is taken between epochs; this run stopped in the middle of one.");
    }

    private TrainingCheckpoint<T> Checkpoint(T[] values, long optimizerSteps, IReadOnlyList<T[]> optimizerState, ulong[] rngState) => new()
    {
        Fingerprint = _fingerprint,
        Epoch = _epoch,
        Values = (T[])values.Clone(),
        OptimizerSteps = optimizerSteps,
        OptimizerState = optimizerState.Select(s => (T[])s.Clone()).ToArray(),
        RngState = rngState,
        BestLoss = _bestLoss,
        BestEpoch = _bestEpoch,
        BestValues = (T[])_bestValues.Clone(),
        EpochsSinceBest = _sinceBest,
        History = _history.ToList(),
    };

    /// <summary>Continues from <paramref name="checkpoint"/>: the next <see cref="Run"/> starts at its epoch + 1.</summary>
    public void Restore(TrainingCheckpoint<T> checkpoint)
    {
        _network.Parameters.EnsureNotFinal();
        var values = _network.Parameters.Values;
        var state = _optimizer.State;
        // Everything is checked before anything changes: a refused checkpoint leaves the trainer as it was.
        if (checkpoint.Fingerprint != _fingerprint)
            throw new ArgumentException("The checkpoint was taken with other options, another model or other data; resuming from it would not continue that run.", nameof(checkpoint));
        if (checkpoint.Values.Length != values.Length || checkpoint.BestValues.Length != values.Length
            || checkpoint.OptimizerState.Length != state.Count
            || checkpoint.OptimizerState.Where((s, i) => s.Length != state[i].Length).Any()
            || checkpoint.RngState is not { Length: 4 } || checkpoint.RngState.All(w => w == 0))
            throw new ArgumentException("The checkpoint does not fit this model and optimizer.", nameof(checkpoint));
        checkpoint.Values.CopyTo(values, 0);
        for (int i = 0; i < state.Count; i++) checkpoint.OptimizerState[i].CopyTo(state[i], 0);
        _optimizer.Steps = checkpoint.OptimizerSteps;
        _rng = new Rng(0) { State = checkpoint.RngState };
        (_epoch, _bestLoss, _bestEpoch, _sinceBest) = (checkpoint.Epoch, checkpoint.BestLoss, checkpoint.BestEpoch, checkpoint.EpochsSinceBest);
        checkpoint.BestValues.CopyTo(_bestValues, 0);
        _history.Clear();
        _history.AddRange(checkpoint.History);
        _midEpoch = false;
    }

    // The weights, optimizer state and RNG as an epoch started, in arrays reused from epoch to epoch.
    private sealed class EpochStart(int parameters, IReadOnlyList<T[]> optimizerState)
    {
        public readonly T[] Values = new T[parameters];
        public readonly T[][] OptimizerState = optimizerState.Select(s => new T[s.Length]).ToArray();
        public long OptimizerSteps;
        public ulong[] RngState = [];

        public void Capture(T[] values, Optimizer<T> optimizer, Rng rng)
        {
            values.CopyTo(Values, 0);
            for (int i = 0; i < OptimizerState.Length; i++) optimizer.State[i].CopyTo(OptimizerState[i], 0);
            OptimizerSteps = optimizer.Steps;
            RngState = rng.State;
        }
    }
}
