// From a job's request and its sequences to what the engine trains on: the model spec (sizes
// taken from the data), windows for a time series, class indices for labels, the seeded
// validation split and the normalizer fitted on the training part.
using LstmService.Api.Jobs;
using LstmService.Engine;
using LstmService.Engine.Data;

namespace LstmService.Api.Training;

internal sealed record TrainingData(ModelSpec Spec, IReadOnlyList<Sequence> Train, IReadOnlyList<Sequence> Validation, Normalizer? Normalizer, string[]? Labels)
{
    /// <summary>
    /// Throws <see cref="ArgumentException"/> (with ParamName a request field) when the data and
    /// the request do not fit together. <paramref name="isSeries"/>: the sequences are whole time
    /// series to be cut into windows (a CSV dataset).
    /// </summary>
    public static TrainingData Build(JobRequest request, IReadOnlyList<SequenceData> sequences, bool isSeries, ServiceLimits limits)
    {
        var (spec, train, validation, normalizer, labels) = Prepare(request, sequences, isSeries, limits);
        if (normalizer is not null) (train, validation) = (normalizer.Apply(train), normalizer.Apply(validation));
        if (request.Training.Precision == Precision.Float32) CheckFloat32Range([.. train, .. validation]);
        return new TrainingData(spec, train, validation, normalizer, labels);
    }

    /// <summary>
    /// What <see cref="Build"/> checks, for a job's submission, without keeping a normalized copy
    /// of the data (one sequence at a time is normalized to check its range): the model spec.
    /// </summary>
    public static ModelSpec Check(JobRequest request, IReadOnlyList<SequenceData> sequences, bool isSeries, ServiceLimits limits)
    {
        var (spec, train, validation, normalizer, _) = Prepare(request, sequences, isSeries, limits);
        if (request.Training.Precision == Precision.Float32)
            foreach (var sequence in train.Concat(validation))
                CheckFloat32Range([normalizer?.Apply(sequence) ?? sequence]);
        return spec;
    }

    // Everything but normalizing the data: the spec, the sequences (windows, labels), the split, the normalizer.
    private static (ModelSpec, IReadOnlyList<Sequence>, IReadOnlyList<Sequence>, Normalizer?, string[]?) Prepare(
        JobRequest request, IReadOnlyList<SequenceData> sequences, bool isSeries, ServiceLimits limits)
    {
        var model = request.Model;
        var training = request.Training;
        var steps = model.Output.Steps;
        int outputSize = model.Output.Size;
        string[]? labels = null;
        List<Sequence> all;

        if (isSeries)
        {
            // Each window's target is the next `horizon` rows of every column, after its last step.
            int window = training.Window ?? throw new ArgumentException("A time-series dataset needs training.window (input steps per window).", "training.window");
            int horizon = training.Horizon ?? 1;
            // Each window is a copy of its rows: count the numbers before making them.
            long values = sequences.Sum(s => Math.Max(0L, s.Inputs!.Length - window - horizon + 1) * (window + horizon) * s.Inputs[0].Length);
            if (values > limits.MaxTrainingValues)
                throw new ArgumentException($"Windows of {window} + {horizon} steps over this series hold {values:N0} numbers; at most {limits.MaxTrainingValues:N0} are allowed. Use a shorter window.", "training.window");
            all = [.. SlidingWindows.Create(sequences.Select(s => s.Inputs!).ToList(), window, horizon)];
            steps = OutputSteps.Last;
            outputSize = horizon * sequences[0].Inputs![0].Length;
        }
        else if (model.Loss == LossName.CrossEntropy)
        {
            labels = [.. sequences.Select(s => s.Label!).Distinct().Order(StringComparer.Ordinal)];
            if (labels.Length < 2) throw new ArgumentException("Classification needs at least two different labels.", "data");
            var index = labels.Select((label, i) => (label, i)).ToDictionary(p => p.label, p => p.i);
            all = [.. sequences.Select(s => new Sequence(s.Inputs!, Labels: [index[s.Label!]]))];
            outputSize = labels.Length;
        }
        else
        {
            all = [.. sequences.Select(s => new Sequence(s.Inputs!, steps == OutputSteps.All ? s.Targets : [s.Target!]))];
        }

        var spec = new ModelSpec
        {
            InputSize = all[0].Inputs[0].Length,
            HiddenSize = model.HiddenSize,
            Layers = model.Layers,
            Cell = model.Cell,
            Dropout = model.Dropout,
            Output = model.Output.Kind,
            OutputSize = outputSize,
            Steps = steps,
            Loss = model.Loss == LossName.CrossEntropy ? LossKind.CrossEntropy : LossKind.MeanSquaredError,
        };
        spec.Validate();
        long parameters = spec.ParameterLayout().Sum(p => p.Shape.Aggregate(1L, (a, b) => a * b));
        if (parameters > limits.MaxParameters)
            throw new ArgumentException($"This model has {parameters:N0} parameters; at most {limits.MaxParameters:N0} are allowed.", "model.hiddenSize");
        long total = all.Sum(s => (long)s.Inputs.Length * s.Inputs[0].Length + (s.Targets?.Sum(r => (long)r.Length) ?? 0));
        if (total > limits.MaxTrainingValues)
            throw new ArgumentException($"The training data hold {total:N0} numbers; at most {limits.MaxTrainingValues:N0} are allowed.", "data");
        Sequence.Validate(all, spec, requireTargets: true);
        var parameterNames = spec.ParameterLayout().Select(p => p.Name).ToHashSet();
        foreach (var name in training.FrozenParameters ?? [])
            if (!parameterNames.Contains(name))
                throw new ArgumentException($"'{name}' is not a parameter of this model ({string.Join(", ", parameterNames)}).", "training.frozenParameters");

        double work = JobWork.Estimate(spec, all, training.Epochs);
        if (work > limits.MaxWorkPerJob)
            throw new ArgumentException($"This job would take about {work:G3} multiply-adds (training.epochs × {all.Sum(s => (long)s.Inputs.Length):N0} steps of data × " +
                $"{JobWork.PerStep(spec):N0} per step for this model); at most {limits.MaxWorkPerJob:G3} are allowed (Limits:MaxWorkPerJob). Use fewer epochs, less data or a smaller model.", "training.epochs");

        var (train, validation) = DatasetSplit.Split(all, training.ValidationFraction, training.Seed);
        var normalizer = training.Normalize ? Normalizer.Fit(train, normalizeTargets: spec.Loss == LossKind.MeanSquaredError) : null;
        return (spec, train, validation, normalizer, labels);
    }

    // Finite doubles can still overflow float32; say so now rather than fail the job later.
    private static void CheckFloat32Range(IEnumerable<Sequence> sequences)
    {
        foreach (var s in sequences)
            foreach (var row in s.Targets is null ? s.Inputs : [.. s.Inputs, .. s.Targets])
                foreach (double v in row)
                    if (Math.Abs(v) > float.MaxValue)
                        throw new ArgumentException($"The value {v:R} (after normalization) is beyond float32; use precision float64 or rescale the data.", "data");
    }
}
